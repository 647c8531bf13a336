package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JteenrolGenerated;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.pages.view.EnrolView;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.PhoneFormView;

/**
 * Adding an authenticator app (POST /security/app) or a phone number (POST /security/phone) from the
 * security page: {@code action=start} begins the enrolment and shows the QR code and key (or sends
 * the SMS), {@code action=confirm} confirms it with a code. A person who has 2FA already may add
 * one only within {@link RecentSecondFactor#WINDOW} of signing in with it (else: sign in again), so a
 * browser left signed in cannot quietly gain someone a second factor.
 */
public final class AddFactorPages {
  private final WebPlatform web;

  public AddFactorPages(WebPlatform web) {
    this.web = web;
  }

  /** POST /security/app. */
  public void addApp(PageContext p) {
    add(p, true);
  }

  /** POST /security/phone. */
  public void addPhone(PageContext p) {
    add(p, false);
  }

  private void add(PageContext p, boolean app) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    AccountView view = SignInFlow.account(p, user);
    if (!SecurityPages.mayAdd(p, view)) {
      card(p, 403, "Sign in again", Notice.error("Adding a way to sign in needs a sign-in with a code within"
          + " the last 10 minutes. Sign in again, then add it"
          + (SignInFlow.TRUSTED_BROWSER.equals(p.session().attribute(SignInFlow.VIA))
              ? " (this browser is trusted: stop trusting it first, so the sign-in asks for your code)." : ".")),
          null, null, null, null);
      return;
    }
    String path = p.path(app ? "/security/app" : "/security/phone");
    if ("confirm".equals(p.form("action"))) {
      confirm(p, user, app, path);
      return;
    }
    if (app) {
      Enrolment.AppStart start = Enrolment.startApp(p, user);
      card(p, 200, "Set up your authenticator app", Notice.error(start.error()), start.app(), null, null,
          start.app() == null ? null : new EnrolView.Confirm(path, "Code from the app"));
      return;
    }
    String[] error = new String[1];
    String textedTo = Enrolment.startPhone(p, user, error);
    if (textedTo == null) {
      card(p, 422, "Add a phone number", Notice.error(error[0]), null, null, Enrolment.phoneForm(p, path, "start"), null);
    } else {
      card(p, 200, "Add a phone number", null, null, textedTo, null, new EnrolView.Confirm(path, "Code from the text message"));
    }
  }

  private void confirm(PageContext p, UserStore.User user, boolean app, String path) {
    Enrolment.Confirmed c = Enrolment.confirm(p, user, p.form("code"));
    if (c.error() == null) {
      if (c.recoveryCodes() != null) {
        SetupPages.done(p, c.recoveryCodes());
      } else {
        p.redirect(p.path("/security?done=added"));
      }
      return;
    }
    boolean pending = p.session().attribute(Enrolment.FACTOR) != null && !c.error().contains("Start again");
    card(p, c.locked() ? 429 : 422, app ? "Set up your authenticator app" : "Add a phone number", Notice.error(c.error()),
        null, null, null, pending ? new EnrolView.Confirm(path, "Code") : null);
  }

  private static void card(PageContext p, int status, String title, Notice error, EnrolView.App app, String textedTo,
      PhoneFormView phoneForm, EnrolView.Confirm confirm) {
    EnrolView view = new EnrolView(title, false, error, app, textedTo, phoneForm, confirm, null, p.path("/security"), null);
    p.render(status, (out, layout) -> JteenrolGenerated.render(out, null, layout, view));
  }
}
