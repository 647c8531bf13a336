package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.gateway.web.SessionStore.Stage;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The first step of signing in: username and password, and signing out. An unknown username and a
 * wrong password get the same page, status and work (one Argon2id verification either way, see
 * {@link UserStore#authenticate}); failures make the next tries wait ({@link Attempts}), counted the
 * same way whether the username exists or not.
 */
final class SignInPages {

  private final WebPlatform web;

  SignInPages(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/", p -> p.redirect(p.path(p.session().signedIn() ? "/security" : "/sign-in")));
    routes.get("/sign-in", this::form);
    routes.post("/sign-in", this::signIn);
    routes.post("/sign-out", this::signOut);
  }

  private void form(PageContext p) {
    if (p.session().signedIn()) {
      p.redirect(p.path("/security"));
      return;
    }
    show(p, 200, null, "");
  }

  private void show(PageContext p, int status, String error, String username) {
    p.render(status, "Sign in", "<section class=\"card narrow\"><h1>Sign in</h1>"
        + "<p class=\"muted\">to " + esc(p.tenant().displayName()) + "</p>"
        + Html.notice("error", error)
        + "<form method=\"post\" action=\"" + esc(p.path("/sign-in")) + "\">" + p.csrfField()
        + "<label for=\"username\">Username</label>"
        + "<input id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\""
        + " required maxlength=\"64\" value=\"" + esc(username) + "\"" + (username.isEmpty() ? " autofocus" : "") + ">"
        + "<label for=\"password\">Password</label>"
        + "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required"
        + " maxlength=\"" + UserStore.MAX_PASSWORD + "\"" + (username.isEmpty() ? "" : " autofocus") + ">"
        + "<button type=\"submit\" class=\"primary\">Sign in</button></form></section>");
  }

  private void signIn(PageContext p) {
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

  private void signOut(PageContext p) {
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
