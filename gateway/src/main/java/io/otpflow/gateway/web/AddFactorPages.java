package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.common.events.AccountView;

/**
 * Adding an authenticator app (POST /security/app) or a phone number (POST /security/phone) from the
 * security page: {@code action=start} begins the enrolment and shows the QR code and key (or sends
 * the SMS), {@code action=confirm} confirms it with a code. A person who has 2FA already may add
 * one only within {@link RecentSecondFactor#WINDOW} of signing in with it (else: sign in again), so a
 * browser left signed in cannot quietly gain someone a second factor.
 */
final class AddFactorPages {
  private final WebPlatform web;

  AddFactorPages(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.post("/security/app", p -> add(p, true));
    routes.post("/security/phone", p -> add(p, false));
  }

  private void add(PageContext p, boolean app) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    AccountView view = SignInFlow.account(p, user);
    if (!SecurityPages.mayAdd(p, view)) {
      card(p, 403, "Sign in again", Html.notice("error", "Adding a way to sign in needs a sign-in with a code within"
          + " the last 10 minutes. Sign in again, then add it"
          + (SignInFlow.TRUSTED_BROWSER.equals(p.session().attribute(SignInFlow.VIA))
              ? " (this browser is trusted: stop trusting it first, so the sign-in asks for your code)." : ".")) + back(p));
      return;
    }
    String path = p.path(app ? "/security/app" : "/security/phone");
    if ("confirm".equals(p.form("action"))) {
      confirm(p, user, app, path);
      return;
    }
    if (app) {
      card(p, 200, "Set up your authenticator app", Enrolment.startApp(p, user, path) + back(p));
      return;
    }
    String[] error = new String[1];
    String html = Enrolment.startPhone(p, user, path, error);
    card(p, html == null ? 422 : 200, "Add a phone number", html != null ? html + back(p)
        : Html.notice("error", error[0]) + Enrolment.phoneForm(p, path, "<input type=\"hidden\" name=\"action\" value=\"start\">")
            + back(p));
  }

  private void confirm(PageContext p, UserStore.User user, boolean app, String path) {
    Enrolment.Confirmed c = Enrolment.confirm(p, user, p.form("code"));
    if (c.error() == null) {
      if (c.recoveryCodes() != null) {
        p.render("Two-step verification is on", SetupPages.done(p, c.recoveryCodes()));
      } else {
        p.redirect(p.path("/security?done=added"));
      }
      return;
    }
    boolean pending = p.session().attribute(Enrolment.FACTOR) != null && !c.error().contains("Start again");
    card(p, c.locked() ? 429 : 422, app ? "Set up your authenticator app" : "Add a phone number",
        Html.notice("error", c.error()) + (pending
            ? "<form method=\"post\" action=\"" + esc(path) + "\">" + p.csrfField()
                + "<input type=\"hidden\" name=\"action\" value=\"confirm\"><label for=\"code\">Code</label>"
                + "<input id=\"code\" name=\"code\" class=\"code\" required autofocus inputmode=\"numeric\""
                + " pattern=\"[0-9]{4,10}\" maxlength=\"10\" autocomplete=\"one-time-code\">"
                + "<button type=\"submit\" class=\"primary\">Confirm</button></form>" : "") + back(p));
  }

  private static String back(PageContext p) {
    return "<p class=\"small\"><a href=\"" + esc(p.path("/security")) + "\">Back to security</a></p>";
  }

  static void card(PageContext p, int status, String title, String html) {
    p.render(status, title, "<section class=\"card narrow\"><h1>" + esc(title) + "</h1>" + html + "</section>");
  }
}
