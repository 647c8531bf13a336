package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.gateway.web.PolicyStore.Mode;
import io.otpflow.gateway.web.PolicyStore.Policy;

/**
 * /admin/policy: the company's 2FA policy (2FA by choice, or for everyone with a number of grace
 * sign-ins), explained in the words a person will meet at sign-in, and the company's audit log of
 * admin actions.
 */
final class PolicyPage {
  private static final int AUDIT = 50;

  private final WebPlatform web;

  PolicyPage(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/admin/policy", AdminPages.admin((p, me) -> show(p, 200, AdminPages.takeNotice(p),
        web.policies().get(p.tenant().id()))));
    routes.post("/admin/policy", AdminPages.admin(this::save));
  }

  private void show(PageContext p, int status, String notice, Policy policy) {
    boolean forced = policy.mode() == Mode.FORCED;
    StringBuilder h = new StringBuilder();
    h.append("<div class=\"page-head\"><h1>2FA policy</h1><p class=\"muted\">Who must protect their sign-in with a"
        + " second factor: an authenticator app, a phone number or the push app.</p></div>").append(notice)
        .append("<section class=\"card\"><form method=\"post\" action=\"").append(esc(p.path("/admin/policy")))
        .append("\">").append(p.csrfField()).append("<fieldset class=\"choices-radio\"><legend>Policy</legend>")
        .append(radio("opt-in", !forced, "2FA by choice",
            "Each person decides on their security page. You can still require it of one person on the People page."))
        .append(radio("forced", forced, "2FA for everyone",
            "Everyone without a second factor is led through setting one up when they sign in. People who sign in"
                + " through the external identity provider are exempt: their provider protects their sign-in."))
        .append("</fieldset><label for=\"grace\">Grace sign-ins</label>")
        .append("<input id=\"grace\" name=\"grace_sign_ins\" type=\"number\" min=\"0\" max=\"")
        .append(Policy.MAX_GRACE).append("\" step=\"1\" required inputmode=\"numeric\" value=\"")
        .append(policy.graceSignIns()).append("\"><p class=\"small muted\">When 2FA becomes required of someone who has"
            + " none, they may still sign in this many times with their password alone (told each time) before"
            + " setup is the only way in. 0: setup at their next sign-in. At most ")
        .append(Policy.MAX_GRACE).append(".</p><button type=\"submit\" class=\"primary auto\">Save policy</button></form>")
        .append("</section><section class=\"card\"><h2>Audit log</h2><p class=\"small muted\">What administrators did,"
            + " newest first.</p>");
    PersonPage.activity(h, web.activity().audit(p.tenant().id(), AUDIT), "No administrator has changed anything yet.");
    h.append("</section>");
    p.render(status, "2FA policy", h.toString());
  }

  private static String radio(String value, boolean checked, String title, String hint) {
    return "<label class=\"radio\"><input type=\"radio\" name=\"mode\" value=\"" + value + "\"" + (checked ? " checked" : "")
        + "><span><b>" + esc(title) + "</b><br><span class=\"small muted\">" + esc(hint) + "</span></span></label>";
  }

  private void save(PageContext p, UserStore.User me) {
    String mode = p.form("mode");
    String grace = p.form("grace_sign_ins");
    Policy current = web.policies().get(p.tenant().id());
    if (!"forced".equals(mode) && !"opt-in".equals(mode)) {
      show(p, 400, Html.notice("error", "Choose 2FA by choice or 2FA for everyone. Nothing was changed."), current);
      return;
    }
    int g;
    try {
      g = grace == null || grace.length() > 3 ? -1 : Integer.parseInt(grace);
    } catch (NumberFormatException e) {
      g = -1;
    }
    if (g < 0 || g > Policy.MAX_GRACE) {
      show(p, 400, Html.notice("error", "Grace sign-ins must be a whole number from 0 to " + Policy.MAX_GRACE
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
