package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtepolicyGenerated;
import io.otpflow.gateway.store.PolicyStore.Mode;
import io.otpflow.gateway.store.PolicyStore.Policy;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.PolicyView;

/**
 * /admin/policy: the company's 2FA policy (2FA by choice, or for everyone with a number of grace
 * sign-ins), explained in the words a person will meet at sign-in, and the company's audit log of
 * admin actions.
 */
public final class PolicyPage {
  private static final int AUDIT = 50;

  private final WebPlatform web;

  public PolicyPage(WebPlatform web) {
    this.web = web;
  }

  /** GET /admin/policy. */
  public void form(PageContext p, UserStore.User me) {
    show(p, 200, AdminPages.takeNotice(p), web.policies().get(p.tenant().id()));
  }

  private void show(PageContext p, int status, Notice notice, Policy policy) {
    PolicyView view = new PolicyView(notice, p.path("/admin/policy"), policy.mode() == Mode.FORCED, policy.graceSignIns(),
        Policy.MAX_GRACE, AdminPages.log(web.activity().audit(p.tenant().id(), AUDIT)));
    p.render(status, (out, layout) -> JtepolicyGenerated.render(out, null, layout, view));
  }

  public void save(PageContext p, UserStore.User me) {
    String mode = p.form("mode");
    String grace = p.form("grace_sign_ins");
    Policy current = web.policies().get(p.tenant().id());
    if (!"forced".equals(mode) && !"opt-in".equals(mode)) {
      show(p, 400, Notice.error("Choose 2FA by choice or 2FA for everyone. Nothing was changed."), current);
      return;
    }
    int g;
    try {
      g = grace == null || grace.length() > 3 ? -1 : Integer.parseInt(grace);
    } catch (NumberFormatException e) {
      g = -1;
    }
    if (g < 0 || g > Policy.MAX_GRACE) {
      show(p, 400, Notice.error("Grace sign-ins must be a whole number from 0 to " + Policy.MAX_GRACE
          + ". Nothing was changed."), current);
      return;
    }
    Policy next = new Policy("forced".equals(mode) ? Mode.FORCED : Mode.OPT_IN, g);
    web.policies().set(p.tenant().id(), next);
    web.activity().recordCompanyAction(p.tenant().id(), AdminPages.entry(p, me, "policy-changed",
        "2FA policy set to " + ("forced".equals(mode) ? "2FA for everyone" : "2FA by choice") + " with " + g
            + " grace sign-ins (was " + (current.mode() == Mode.FORCED ? "for everyone" : "by choice") + ", "
            + current.graceSignIns() + ")."));
    AdminPages.redirect(p, p.path("/admin/policy"), "policy");
  }
}
