package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;
import static io.otpflow.gateway.web.PeoplePages.hidden;

import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.PlatformCalls;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * /admin/people/person?u=…: one person, their factors and push devices from the account registry,
 * a form per factor that removes it with a reason (an admin proof: the verifier records the reason in
 * the account's audit events, and the page records it in the person's activity, which their security
 * page shows them, and in the company's audit log), and their recent activity.
 */
final class PersonPage {
  private static final Pattern FACTOR_ID = Pattern.compile("(FA|DV)[0-9a-f]{32}");
  private static final int ACTIVITY = 25;

  private final WebPlatform web;

  PersonPage(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/admin/people/person", AdminPages.admin(this::show));
    routes.post("/admin/people/remove", AdminPages.admin(this::remove));
  }

  private void show(PageContext p, UserStore.User me) {
    Optional<UserStore.User> found = web.users().find(p.tenant().id(), p.form("u"));
    if (found.isEmpty()) {
      p.render(404, "No such person", "<section class=\"card narrow\"><h1>No such person</h1><p><a href=\""
          + esc(p.path("/admin/people")) + "\">Back to people</a></p></section>");
      return;
    }
    show(p, 200, found.get(), AdminPages.takeNotice(p));
  }

  private void show(PageContext p, int status, UserStore.User u, String notice) {
    AccountView view = SignInFlow.account(p, u);
    PolicyStore.Policy policy = web.policies().get(p.tenant().id());
    StringBuilder h = new StringBuilder();
    h.append("<p class=\"crumbs\"><a href=\"").append(esc(p.path("/admin/people"))).append("\">People</a> ›</p>")
        .append("<div class=\"page-head\"><h1>").append(esc(u.displayName())).append("</h1><p class=\"muted\">")
        .append(esc(u.username())).append(" · ").append(u.isAdmin() ? "administrator" : "user").append(" · ")
        .append(u.external() ? "signs in through the external identity provider" : "signs in with a password")
        .append("</p></div>").append(notice)
        .append("<section class=\"card\"><div class=\"stats facts\">")
        .append(stat(u.disabled() ? "Disabled" : "Active", "account"))
        .append(stat(AdminPages.methods(SignInFlow.activeFactors(view)).isEmpty() ? "None"
            : AdminPages.methods(SignInFlow.activeFactors(view)), "second factors"))
        .append(stat(policy.requires(u) ? "Required" : u.external() ? "Exempt" : "Optional", "2FA"))
        .append(stat(AdminPages.when(u.lastSignInAt()), "last sign-in")).append("</div><div class=\"actions\">")
        .append(PeoplePages.disableButton(p, u, "person")).append(PeoplePages.requireButton(p, u, "person"))
        .append("</div></section>");
    h.append("<section class=\"card\"><h2>Second factors</h2>");
    if (u.username().equals(p.session().username())) {
      h.append("<p class=\"small muted\">These are yours: remove them on <a href=\"").append(esc(p.path("/security")))
          .append("\">your security page</a>, with a code.</p>");
    }
    factors(p, h, u, view.factors(), "This person has no authenticator app or phone number.");
    h.append("<h3>Push devices</h3>");
    factors(p, h, u, view.devices(), "No phone with the authenticator app is registered.");
    AccountView.RecoveryCodes rc = view.recoveryCodes();
    h.append("<h3>Recovery codes</h3><p>").append(rc == null || rc.createdAt() == null ? "None generated."
        : rc.remaining() + " unused, generated " + esc(AdminPages.when(rc.createdAt())) + ", last used "
        + esc(rc.lastUsedAt() == null ? "never" : AdminPages.when(rc.lastUsedAt())) + ".").append("</p></section>");
    h.append(PasswordResetPage.form(p, u));
    h.append("<section class=\"card\"><h2>Recent activity</h2>");
    activity(h, web.activity().recent(p.tenant().id(), u.username(), ACTIVITY), "Nothing yet.");
    h.append("</section>");
    p.render(status, u.displayName(), h.toString());
  }

  private static String stat(String value, String label) {
    return "<div class=\"stat\"><b>" + esc(value) + "</b><span>" + esc(label) + "</span></div>";
  }

  private static void factors(PageContext p, StringBuilder h, UserStore.User u, List<AccountView.Factor> factors,
      String none) {
    if (factors.isEmpty()) {
      h.append("<p class=\"muted\">").append(esc(none)).append("</p>");
      return;
    }
    h.append("<ul class=\"list factors\">");
    for (AccountView.Factor f : factors) {
      h.append("<li><div><b>").append(esc(describe(f))).append("</b> ")
          .append("active".equals(f.status()) ? "<span class=\"badge ok\">active</span>"
              : "<span class=\"badge warn\">not confirmed</span>")
          .append("<br><span class=\"small muted\">added ").append(esc(AdminPages.when(f.createdAt())))
          .append(" · last used ").append(esc(f.lastUsedAt() == null ? "never" : AdminPages.when(f.lastUsedAt())))
          .append("</span></div>");
      if (u.username().equals(p.session().username())) {
        h.append("</li>");
        continue;
      }
      h.append("<form method=\"post\" action=\"").append(esc(p.path("/admin/people/remove")))
          .append("\" class=\"remove\">").append(p.csrfField()).append(hidden("u", u.username()))
          .append(hidden("id", f.id())).append("<input name=\"reason\" required maxlength=\"").append(AdminPages.MAX_REASON)
          .append("\" placeholder=\"Reason (the person sees it)\" aria-label=\"Reason for removing ")
          .append(esc(describe(f))).append("\"><button type=\"submit\" class=\"danger small\">Remove</button></form></li>");
    }
    h.append("</ul>");
  }

  /** "Authenticator app “Work phone”", "Phone +1 ••• 0123", "Push device Pixel 8 (fcm)". */
  static String describe(AccountView.Factor f) {
    String label = f.label() == null ? "" : " “" + f.label() + "”";
    return switch (f.type()) {
      case "totp" -> "Authenticator app" + label;
      case "phone" -> "Phone " + (f.phone() == null ? "" : f.phone()) + label;
      case "device" -> "Push device " + (f.name() == null ? "" : f.name()) + label
          + (f.platform() == null ? "" : " (" + f.platform() + ")");
      default -> f.type() + label;
    };
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  static void activity(StringBuilder h, List<ActivityLog.Entry> entries, String none) {
    if (entries.isEmpty()) {
      h.append("<p class=\"muted\">").append(esc(none)).append("</p>");
      return;
    }
    h.append("<div class=\"table-wrap\"><table class=\"log cards\"><thead><tr><th>When</th><th>What</th><th>By</th>")
        .append("<th>From</th></tr></thead><tbody>");
    for (ActivityLog.Entry e : entries) {
      h.append("<tr><td class=\"nowrap\">").append(esc(AdminPages.when(e.at()))).append("</td><td class=\"wide\">")
          .append(esc(e.detail())).append("</td><td data-label=\"By\">").append(e.byAdmin() ? "<span class=\"badge warn\">"
              + esc("admin " + e.actor().substring("admin:".length())) + "</span>" : esc(e.actor()))
          .append("</td><td class=\"small muted\" data-label=\"From\">").append(esc(e.ip() == null ? "—" : e.ip())).append("</td></tr>");
    }
    h.append("</tbody></table></div>");
  }

  private void remove(PageContext p, UserStore.User me) {
    if (!RecentSecondFactor.demand(p, me)) {
      return;
    }
    Optional<UserStore.User> found = web.users().find(p.tenant().id(), p.form("u"));
    if (found.isEmpty()) {
      AdminPages.redirect(p, p.path("/admin/people"), "no-person");
      return;
    }
    UserStore.User u = found.get();
    if (u.username().equals(me.username())) {
      // An admin's removal needs only a reason. For their own factors that would be a way round the code
      // the security page asks for: a session left open could strip the admin's 2FA, then add its own.
      show(p, 403, u, Html.notice("error", "Your own factors are removed on your security page, with a code."
          + " Nothing was removed."));
      return;
    }
    String id = Optional.ofNullable(p.form("id")).orElse("");
    String reason = p.form("reason");
    String problem = FACTOR_ID.matcher(id).matches() ? AdminPages.checkText(reason, "The reason", AdminPages.MAX_REASON)
        : "Choose a factor or device to remove.";
    if (problem != null) {
      show(p, 400, u, Html.notice("error", problem + " Nothing was removed."));
      return;
    }
    AccountView before = SignInFlow.account(p, u);
    AccountView.Factor factor = PlatformCalls.find(before, id);
    if (factor == null) {
      AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "gone");
      return;
    }
    AccountReply reply = p.await(web.calls().remove(p.tenant(), u.account(), id, PlatformCalls.Proof.admin(reason)));
    String refused = switch (reply) {
      case AccountReply.Done d -> null;
      case AccountReply.NotFound n -> "";
      case AccountReply.ProofRefused r -> "The registry refused the change (" + r.reason() + ").";
      case AccountReply.Locked l -> "The account is locked for " + l.retryAfterSeconds() + " s; try again then.";
      case AccountReply.Denied d -> "The registry refused the change.";
      case AccountReply.Rejected r -> "The registry refused the change: " + r.detail();
      case AccountReply.Unavailable un -> throw new PageContext.PlatformUnavailable(new IllegalStateException(un.reason()));
    };
    if ("".equals(refused)) {
      AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "gone");
      return;
    }
    if (refused != null) {
      show(p, 409, u, Html.notice("error", refused + " Nothing was removed."));
      return;
    }
    // A browser trusted with the removed factor must not skip the factor that replaces it.
    TrustedBrowsers.revokeAll(web.redis(), p.tenant().id(), u.username());
    web.activity().recordAdminAction(p.tenant().id(), u.username(), AdminPages.entry(p, me, "factor-removed",
        "An administrator removed your " + lowerFirst(describe(factor)) + ". Reason: " + reason));
    AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "removed");
  }
}
