package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.gateway.web.SessionStore.Stage;
import java.util.List;

/**
 * /t/{tenant}/security/setup: two-step verification that must be set up before anything else (the
 * company forces it, or an admin requires it of this person, and the grace sign-ins are used up).
 * A session at stage SETUP reaches only this page and signing out, and only while the account has no
 * active second factor: once it has one, the session is sent to the second-factor step instead. The authenticator app is offered
 * first, a phone number as the alternative; once confirmed, the person is signed in and sees their
 * recovery codes, once.
 */
final class SetupPages {
  private final WebPlatform web;

  SetupPages(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/security/setup", this::form);
    routes.post("/security/setup", this::submit);
  }

  private UserStore.User user(PageContext p) {
    UserStore.User user = p.session().stage() == Stage.SETUP
        ? web.users().find(p.tenant().id(), p.session().username()).filter(u -> !u.disabled()).orElse(null) : null;
    if (user == null) {
      p.redirect(p.path(p.session().signedIn() ? "/security" : "/sign-in"));
      return null;
    }
    // The session is here because the account had no second factor when the password was given. If it
    // has one now (set up in another browser, or through the API), this session has not given it, and
    // confirming a factor of its own here must not sign it in past the one the account has: it gives
    // the account's second factor, as any sign-in would.
    if (SignInFlow.hasTwoFactor(SignInFlow.account(p, user))) {
      p.switchSession(web.sessions().advance(p.session(), user.username(), Stage.SECOND_FACTOR, web.clock().instant()));
      p.redirect(p.path("/sign-in/verify"));
      return null;
    }
    return user;
  }

  private void form(PageContext p) {
    if (user(p) != null) {
      choose(p, 200, null);
    }
  }

  private void choose(PageContext p, int status, String error) {
    String action = p.path("/security/setup");
    p.render(status, "Set up two-step verification", "<section class=\"card narrow setup\">"
        + "<h1>Set up two-step verification</h1>"
        + "<p>" + esc(p.tenant().displayName()) + " requires a second step when you sign in, so that your password"
        + " alone is not enough. It takes a minute.</p>" + Html.notice("error", error)
        + "<h2>Authenticator app <span class=\"badge ok\">Recommended</span></h2>"
        + "<p class=\"muted\">Codes from an app on your phone. Works without signal.</p>"
        + "<form method=\"post\" action=\"" + esc(action) + "\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"app\">"
        + "<button type=\"submit\" class=\"primary\">Set up the authenticator app</button></form>"
        + "<h2 class=\"other\">Or: text messages</h2><p class=\"muted\">A code by SMS each time you sign in.</p>"
        + Enrolment.phoneForm(p, action, "<input type=\"hidden\" name=\"action\" value=\"phone\">")
        + signOut(p) + "</section>");
  }

  private void submit(PageContext p) {
    UserStore.User user = user(p);
    if (user == null) {
      return;
    }
    String action = String.valueOf(p.form("action"));
    String confirmPath = p.path("/security/setup");
    switch (action) {
      case "app" -> step(p, 200, "Set up your authenticator app", Enrolment.startApp(p, user, confirmPath));
      case "phone" -> {
        String[] error = new String[1];
        String html = Enrolment.startPhone(p, user, confirmPath, error);
        if (html == null) {
          choose(p, 422, error[0]);
        } else {
          step(p, 200, "Confirm your phone number", html);
        }
      }
      case "confirm" -> confirm(p, user);
      default -> choose(p, 400, null);
    }
  }

  private void confirm(PageContext p, UserStore.User user) {
    Enrolment.Confirmed c = Enrolment.confirm(p, user, p.form("code"));
    if (c.error() != null) {
      boolean again = p.session().attribute(Enrolment.FACTOR) != null && !c.error().contains("Start again");
      if (again) {
        step(p, c.locked() ? 429 : 422, "Enter the code", Html.notice("error", c.error())
            + "<form method=\"post\" action=\"" + esc(p.path("/security/setup")) + "\">" + p.csrfField()
            + "<input type=\"hidden\" name=\"action\" value=\"confirm\"><label for=\"code\">Code</label>"
            + "<input id=\"code\" name=\"code\" class=\"code\" required autofocus inputmode=\"numeric\""
            + " pattern=\"[0-9]{4,10}\" maxlength=\"10\" autocomplete=\"one-time-code\">"
            + "<button type=\"submit\" class=\"primary\">Confirm</button></form>"
            + "<p class=\"small\"><a href=\"" + esc(p.path("/security/setup")) + "\">Start again</a></p>");
      } else {
        choose(p, 422, c.error());
      }
      return;
    }
    SignInFlow.signIn(p, user, "password, then set up two-step verification");
    p.render("Two-step verification is on", done(p, c.recoveryCodes()));
  }

  /** The page after setup: done, and the recovery codes once (when they were made now). */
  static String done(PageContext p, List<String> codes) {
    return "<section class=\"card narrow done\"><h1>You're all set</h1>"
        + Html.notice("ok", "Two-step verification is on. From now on you sign in with your password and a code.")
        + (codes == null ? "<p>Create recovery codes on your security page, in case you lose your phone.</p>"
            : "<h2>Save your recovery codes</h2><p>If you lose your phone, each of these codes lets you sign in once."
                + " Keep them somewhere safe: <b>they are shown only now.</b></p>" + Enrolment.recoveryCodes(codes))
        + "<a class=\"button primary\" href=\"" + esc(p.path("/security")) + "\">Continue</a></section>";
  }

  private void step(PageContext p, int status, String title, String html) {
    p.render(status, title, "<section class=\"card narrow setup\"><h1>" + esc(title) + "</h1>" + html
        + signOut(p) + "</section>");
  }

  private static String signOut(PageContext p) {
    return "<form method=\"post\" action=\"" + esc(p.path("/sign-out")) + "\" class=\"start-over\">" + p.csrfField()
        + "<button class=\"link\" type=\"submit\">Sign out</button></form>";
  }
}
