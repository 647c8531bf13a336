package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtesignInGenerated;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.SignInView;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The first step of signing in: username and password, and signing out. An unknown username and a
 * wrong password get the same page, status and work (one Argon2id verification either way, see
 * {@link UserStore#authenticate}); failures are limited per username and per client address,
 * counted the same way whether the username exists or not.
 */
public final class SignInPages {
  /** Failed passwords one username may have per window before sign-in pauses for it. */
  static final int MAX_FAILURES_PER_USER = 10;
  /** Failed passwords one client address may have per window (a whole office shares one address). */
  static final int MAX_FAILURES_PER_IP = 50;
  static final Duration WINDOW = Duration.ofMinutes(15);

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
    // Addresses are limited as the answer API limits them: IPv6 by its /64, which one host can rotate through.
    String ipSubject = io.otpflow.gateway.store.AnswerRateLimit.subject(ip);
    // The username subject is what was typed (valid or not), so unknown and known names are limited alike.
    String userSubject = io.otpflow.common.TenantDirectory.sha256(username);
    if (web.attempts().count(tenant, "password-ip", ipSubject) >= MAX_FAILURES_PER_IP
        || web.attempts().count(tenant, "password-user", userSubject) >= MAX_FAILURES_PER_USER) {
      long wait = Math.max(web.attempts().secondsLeft(tenant, "password-ip", ipSubject),
          web.attempts().secondsLeft(tenant, "password-user", userSubject));
      p.routing().response().putHeader("retry-after", Long.toString(wait));
      show(p, 429, "Too many failed sign-ins. Try again in " + minutes(wait) + ".", typed);
      return;
    }
    Optional<UserStore.User> user = password.isEmpty() || password.length() > UserStore.MAX_PASSWORD
        ? Optional.empty() : web.users().authenticate(tenant, username, password);
    if (user.isEmpty()) {
      web.attempts().hit(tenant, "password-ip", ipSubject, WINDOW);
      web.attempts().hit(tenant, "password-user", userSubject, WINDOW);
      web.users().find(tenant, username).ifPresent(u -> web.activity().record(tenant, u.username(),
          new ActivityLog.Entry(web.clock().instant(), "sign-in-failed", u.username(), "Wrong password.", ip)));
      show(p, 401, "Wrong username or password.", typed);
      return;
    }
    web.attempts().clear(tenant, "password-user", userSubject);
    SignInFlow.afterPassword(p, user.get());
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
    long m = (seconds + 59) / 60;
    return m <= 1 ? "a minute" : m + " minutes";
  }
}
