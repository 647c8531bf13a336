package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtechangeGenerated;
import gg.jte.generated.precompiled.pages.JterecoveryCodesGenerated;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.pages.view.ChangeView;
import io.otpflow.gateway.pages.view.DoneView;
import io.otpflow.gateway.pages.view.Message;
import io.otpflow.gateway.pages.view.Notice;
import java.util.Comparator;
import java.util.List;

/**
 * Changes on the security page that need proof, each a confirmation page (GET) and its form (POST):
 * removing a factor or device (/security/remove?id=…), turning 2FA off (/security/off: removes every
 * factor and device), new recovery codes (/security/recovery-codes, shown once on their own page).
 * The proof is an app code or a recovery code, or the code of an SMS sent to the person's confirmed
 * phone ({@link Proofs}); the registry checks it, and a wrong or missing one changes nothing. Also
 * revoking a trusted browser, which needs no code.
 */
public final class ChangePages {
  private final WebPlatform web;

  public ChangePages(WebPlatform web) {
    this.web = web;
  }

  /** GET /security/remove?id=…: confirm removing one factor or device. */
  public void askRemove(PageContext p) {
    ask(p, "remove", 200, null);
  }

  /** GET /security/off: confirm turning 2FA off. */
  public void askOff(PageContext p) {
    ask(p, "off", 200, null);
  }

  /** GET /security/recovery-codes: confirm making new recovery codes. */
  public void askRecoveryCodes(PageContext p) {
    ask(p, "recovery-codes", 200, null);
  }

  /** The confirmation page of a change: what it does, and the proof form. */
  private void ask(PageContext p, String change, int status, String error) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    AccountView view = SignInFlow.account(p, user);
    String id = p.form("id");
    String title;
    String lead;
    switch (change) {
      case "remove" -> {
        AccountView.Factor f = id == null ? null : PlatformCalls.find(view, id);
        if (f == null) {
          p.redirect(p.path("/security"));
          return;
        }
        title = "Remove " + Enrolment.describe(f);
        lead = "You will no longer be able to sign in with it. Trusted browsers will need a code again.";
      }
      case "off" -> {
        title = "Turn off two-step verification";
        lead = "This removes every way you have to verify and your recovery codes, so your password alone will sign"
            + " you in. Trusted browsers are forgotten. One code from any of them confirms it.";
      }
      default -> {
        title = "Create new recovery codes";
        lead = "You get 10 new codes; any codes you have now stop working.";
      }
    }
    ChangeView page = new ChangeView(title, lead, Notice.error(error), Proofs.form(p, view, "/security/" + change, id,
        change.equals("remove") ? "Remove" : change.equals("off") ? "Turn off" : "Create codes"), p.path("/security"));
    p.render(status, (out, layout) -> JtechangeGenerated.render(out, null, layout, page));
  }

  public void remove(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    AccountView view = SignInFlow.account(p, user);
    AccountView.Factor f = p.form("id") == null ? null : PlatformCalls.find(view, p.form("id"));
    if (f == null) {
      p.redirect(p.path("/security"));
      return;
    }
    String error = removeOne(p, user, f);
    if (error != null) {
      ask(p, "remove", 403, error);
      return;
    }
    p.redirect(p.path("/security?done=removed"));
  }

  public void off(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    if (web.policies().get(p.tenant().id()).requires(user)) {
      ask(p, "off", 403, "Your company requires two-step verification, so it cannot be turned off. Nothing was changed.");
      return;
    }
    AccountView view = SignInFlow.account(p, user);
    if (SignInFlow.activeFactors(view).isEmpty() && view.recoveryCodes().remaining() == 0) {
      p.redirect(p.path("/security?done=off"));
      return;
    }
    Proofs.Result proof = Proofs.fromForm(p, user);
    if (proof.error() != null) {
      ask(p, "off", 403, proof.error());
      return;
    }
    // One request, one proof: the registry removes every factor, device and recovery code together.
    AccountReply reply = p.await(web.calls().turnOff(p.tenant(), user.account(), proof.proof()));
    if (!(reply instanceof AccountReply.Done)) {
      ask(p, "off", 403, Proofs.refusal(p, user, reply));
      return;
    }
    TrustedBrowsers.revokeAll(web.redis(), p.tenant().id(), user.username());
    web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(), "2fa-off",
        user.username(), "Two-step verification turned off: every way to verify and the recovery codes were removed.",
        p.clientIp()));
    p.redirect(p.path("/security?done=off"));
  }

  /** Active factors and devices, the authenticator app last: its codes are the handiest proof for the others. */
  private static List<AccountView.Factor> remaining(AccountView view) {
    return SignInFlow.activeFactors(view).stream()
        .sorted(Comparator.comparing((AccountView.Factor f) -> StoredFactor.TOTP.equals(f.type()))).toList();
  }

  /** Removes one factor with the form's proof; the refusal's text, or null when it is gone. */
  private String removeOne(PageContext p, UserStore.User user, AccountView.Factor f) {
    Proofs.Result proof = Proofs.fromForm(p, user);
    if (proof.error() != null) {
      return proof.error();
    }
    AccountReply reply = p.await(web.calls().remove(p.tenant(), user.account(), f.id(), proof.proof()));
    if (reply instanceof AccountReply.Done || reply instanceof AccountReply.NotFound) {
      TrustedBrowsers.revokeAll(web.redis(), p.tenant().id(), user.username());
      web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(),
          "factor-removed", user.username(), Enrolment.describe(f) + " removed.", p.clientIp()));
      return null;
    }
    return Proofs.refusal(p, user, reply);
  }

  public void recoveryCodes(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    Proofs.Result proof = Proofs.fromForm(p, user);
    if (proof.error() != null) {
      ask(p, "recovery-codes", 403, proof.error());
      return;
    }
    PlatformCalls.RecoveryCodeSet set = p.await(web.calls().generateRecoveryCodes(p.tenant(), user.account(), proof.proof()));
    if (!(set.reply() instanceof AccountReply.Done)) {
      ask(p, "recovery-codes", 403, Proofs.refusal(p, user, set.reply()));
      return;
    }
    web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(),
        "recovery-codes", user.username(), "New recovery codes created; the old ones stopped working.", p.clientIp()));
    DoneView codes = new DoneView(set.codes(), p.path("/security"));
    p.render((out, layout) -> JterecoveryCodesGenerated.render(out, null, layout, codes));
  }

  public void proofSms(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    String next = p.form("next");
    if (next == null || !List.of("/security/remove", "/security/off", "/security/recovery-codes").contains(next)) {
      next = "/security";
    }
    String id = p.form("id");
    String back = next + (id != null && id.matches("(FA|DV)[0-9a-f]{32}") ? "?id=" + id : "");
    String error = Proofs.sendSms(p, user, SignInFlow.account(p, user));
    if (error != null) {
      p.render(429, WebRoutes.message(Message.card("Text message", Notice.error(error), null,
          new Message.Link(p.path(back), "Back"))));
      return;
    }
    p.redirect(p.path(back));
  }

  public void revokeTrust(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    if (TrustedBrowsers.revoke(p, user.username(), p.form("id"))) {
      web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(),
          "trust-revoked", user.username(), "A trusted browser was forgotten.", p.clientIp()));
    }
    p.redirect(p.path("/security?done=trust-revoked"));
  }
}
