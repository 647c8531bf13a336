package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.Attempts;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtesignInGenerated;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.SignInView;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The first step of signing in: username and password, and signing out. An unknown username and a
 * wrong password get the same page, status and work (one Argon2id verification either way, see
 * {@link UserStore#authenticate}); failures make the next tries wait ({@link Attempts}), counted the
 * same way whether the username exists or not.
 */
public final class SignInPages {

  private final WebPlatform web;

  public SignInPages(WebPlatform web) {
    this.web = web;
  }

  /** GET /: the security page when signed in, else sign-in. */
  public void home(PageContext p) {
    p.redirect(p.path(p.session().signedIn() ? "/security" : "/sign-in"));
  }

  public void form(PageContext p) {
    if (p.session().signedIn()) {
      p.redirect(p.path("/security"));
      return;
    }
    show(p, 200, null, "");
  }

  private void show(PageContext p, int status, String error, String username) {
    SignInView view = new SignInView(p.tenant().displayName(), p.path("/sign-in"), Notice.error(error), username,
        UserStore.MAX_PASSWORD);
    p.render(status, (out, layout) -> JtesignInGenerated.render(out, null, layout, view));
  }

  public void signIn(PageContext p) {
    String tenant = p.tenant().id();
    String typed = Optional.ofNullable(p.form("username")).orElse("");
    String username = typed.toLowerCase(Locale.ROOT);
    String password = Optional.ofNullable(p.form("password")).orElse("");
    String ip = p.clientIp();
    Attempts.Reserved reserved = switch (web.attempts().reserve(tenant, ip, username, web.clock().instant())) {
      case Attempts.Reserved r -> r;
      case Attempts.Wait w -> {
        p.routing().response().putHeader("retry-after", Long.toString(w.seconds()));
        show(p, 429, "Too many failed sign-ins. " + w.text(), typed);
        yield null;
      }
    };
    if (reserved == null) {
      return;
    }
    Optional<UserStore.User> user = password.isEmpty() || password.length() > UserStore.MAX_PASSWORD
        ? Optional.empty() : authenticate(tenant, username, password, reserved);
    if (user.isEmpty()) {
      web.users().find(tenant, username).ifPresent(u -> web.activity().record(tenant, u.username(),
          new ActivityLog.Entry(web.clock().instant(), "sign-in-failed", u.username(), "Wrong password.", ip)));
      show(p, 401, "Wrong username or password.", typed);
      return;
    }
    web.attempts().succeeded(reserved);
    SignInFlow.afterPassword(p, user.get());
  }

  /** {@link UserStore#authenticate}; a check the busy gateway never ran gives its reserved failure back. */
  private Optional<UserStore.User> authenticate(String tenant, String username, String password, Attempts.Reserved reserved) {
    try {
      return web.users().authenticate(tenant, username, password);
    } catch (UserStore.Busy e) {
      web.attempts().refund(reserved);
      throw e;
    }
  }

  public void signOut(PageContext p) {
    Instant now = web.clock().instant();
    if (p.session().username() != null) {
      web.activity().record(p.tenant().id(), p.session().username(),
          new ActivityLog.Entry(now, "sign-out", p.session().username(), "Signed out.", p.clientIp()));
    }
    p.switchSession(web.sessions().advance(p.session(), null, Stage.ANONYMOUS, now));
    p.redirect(p.path("/sign-in"));
  }

  static String minutes(long seconds) {
    return Attempts.minutes(seconds);
  }
}
