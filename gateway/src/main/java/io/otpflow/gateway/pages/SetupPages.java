package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtedoneGenerated;
import gg.jte.generated.precompiled.pages.JteenrolGenerated;
import gg.jte.generated.precompiled.pages.JtesetupGenerated;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.pages.view.DoneView;
import io.otpflow.gateway.pages.view.EnrolView;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.SetupView;
import java.util.List;

/**
 * /t/{tenant}/security/setup: two-step verification that must be set up before anything else (the
 * company forces it, or an admin requires it of this person, and the grace sign-ins are used up).
 * A session at stage SETUP reaches only this page and signing out, and only while the account has no
 * active second factor: once it has one, the session is sent to the second-factor step instead. The authenticator app is offered
 * first, a phone number as the alternative; once confirmed, the person is signed in and sees their
 * recovery codes, once.
 */
public final class SetupPages {
  private final WebPlatform web;

  public SetupPages(WebPlatform web) {
    this.web = web;
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

  public void form(PageContext p) {
    if (user(p) != null) {
      choose(p, 200, null);
    }
  }

  private void choose(PageContext p, int status, String error) {
    String action = p.path("/security/setup");
    SetupView view = new SetupView(p.tenant().displayName(), Notice.error(error), action,
        Enrolment.phoneForm(p, action, "phone"), p.path("/sign-out"));
    p.render(status, (out, layout) -> JtesetupGenerated.render(out, null, layout, view));
  }

  public void submit(PageContext p) {
    UserStore.User user = user(p);
    if (user == null) {
      return;
    }
    String action = String.valueOf(p.form("action"));
    String confirmPath = p.path("/security/setup");
    switch (action) {
      case "app" -> {
        Enrolment.AppStart start = Enrolment.startApp(p, user);
        step(p, 200, "Set up your authenticator app", Notice.error(start.error()), start.app(), null,
            start.app() == null ? null : new EnrolView.Confirm(confirmPath, "Code from the app"), null);
      }
      case "phone" -> {
        String[] error = new String[1];
        String textedTo = Enrolment.startPhone(p, user, error);
        if (textedTo == null) {
          choose(p, 422, error[0]);
        } else {
          step(p, 200, "Confirm your phone number", null, null, textedTo,
              new EnrolView.Confirm(confirmPath, "Code from the text message"), null);
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
        String path = p.path("/security/setup");
        step(p, c.locked() ? 429 : 422, "Enter the code", Notice.error(c.error()), null, null,
            new EnrolView.Confirm(path, "Code"), path);
      } else {
        choose(p, 422, c.error());
      }
      return;
    }
    SignInFlow.signIn(p, user, "password, then set up two-step verification");
    done(p, c.recoveryCodes());
  }

  /** The page after setup: done, and the recovery codes once (when they were made now). */
  static void done(PageContext p, List<String> codes) {
    DoneView view = new DoneView(codes, p.path("/security"));
    p.render((out, layout) -> JtedoneGenerated.render(out, null, layout, view));
  }

  private void step(PageContext p, int status, String title, Notice error, EnrolView.App app, String textedTo,
      EnrolView.Confirm confirm, String startAgain) {
    EnrolView view = new EnrolView(title, true, error, app, textedTo, null, confirm, startAgain, null, p.path("/sign-out"));
    p.render(status, (out, layout) -> JteenrolGenerated.render(out, null, layout, view));
  }
}
