package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.web.SessionStore.Stage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * /t/{tenant}/security: the signed-in person's own page. Their ways to sign in (apps, phones, push
 * devices) with remove, adding one, recovery codes, trusted browsers, turning 2FA off, their recent
 * sign-ins and 2FA events, and what an admin changed on their account since they last looked.
 */
final class SecurityPages {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);
  /** ?done=… after a change: fixed texts, nothing from the query is shown. */
  private static final Map<String, String> DONE = Map.of(
      "added", "Added. You can use it the next time you sign in.",
      "removed", "Removed. Trusted browsers were signed out of their trust too.",
      "off", "Two-step verification is off. Every trusted browser was forgotten.",
      "trust-revoked", "That browser is no longer trusted.");

  private final WebPlatform web;

  SecurityPages(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/security", this::overview);
  }

  /** The signed-in person, or null after sending any other session where it belongs. */
  static UserStore.User signedIn(PageContext p) {
    UserStore.User user = p.user();
    if (user == null || user.disabled()) {
      Stage stage = p.session().stage();
      p.redirect(p.path(stage == Stage.SETUP ? "/security/setup" : stage == Stage.SECOND_FACTOR ? "/sign-in/verify" : "/sign-in"));
      return null;
    }
    return user;
  }

  /**
   * True when this person may add a factor now: they have none yet, or gave their second factor
   * recently ({@link RecentSecondFactor}).
   */
  static boolean mayAdd(PageContext p, AccountView view) {
    return RecentSecondFactor.mayAddFactor(p.session(), view, p.web().clock().instant());
  }

  private void overview(PageContext p) {
    UserStore.User user = signedIn(p);
    if (user == null) {
      return;
    }
    String tenant = p.tenant().id();
    AccountView view = SignInFlow.account(p, user);
    boolean on = SignInFlow.hasTwoFactor(view);
    PolicyStore.Policy policy = web.policies().get(tenant);
    StringBuilder b = new StringBuilder("<h1>Security</h1><p class=\"muted\">")
        .append(esc(user.displayName())).append(" · ").append(esc(user.username())).append(user.external() ? ""
            : " · <a href=\"" + esc(p.path("/security/password")) + "\">Change password</a>").append("</p>");
    String done = p.form("done");
    b.append(Html.notice("ok", done == null ? null : DONE.get(done)));
    if (!on && policy.requires(user)) {
      int left = Math.max(0, policy.graceSignIns() - user.graceSignInsUsed());
      b.append(Html.notice("warn", "Your company requires 2FA: set it up now (" + left
          + (left == 1 ? " sign-in" : " sign-ins") + " left)."));
    }
    String notice = p.session().attribute(SignInFlow.NOTICE);
    if (notice != null) {
      int codes = view.recoveryCodes() == null ? 0 : view.recoveryCodes().remaining();
      b.append(switch (notice) {
        case "password-changed" -> Html.notice("ok", "Your password was changed. Every other session was signed out.");
        case "recovery-code" -> Html.notice("warn", "You signed in with a recovery code. " + codes
            + (codes == 1 ? " code is" : " codes are") + " left: create new ones below if you are running low,"
            + " and add a way to sign in if you lost your phone.");
        default -> ""; // "grace": the banner above says it whenever it applies
      });
      p.updateSession(web.sessions().withAttribute(p.session(), SignInFlow.NOTICE, null));
    }
    List<ActivityLog.Entry> admin = web.activity().unseenAdminActions(tenant, user.username());
    for (ActivityLog.Entry e : admin) {
      b.append(Html.notice("info", "An administrator changed your account on " + WHEN.format(e.at()) + ": " + e.detail()));
    }
    if (!admin.isEmpty()) {
      web.activity().markSeen(tenant, user.username(), web.clock().instant());
    }
    b.append("<div class=\"grid security-grid\"><section class=\"card\"><h2>Two-step verification ")
        .append(on ? "<span class=\"badge ok\">On</span>" : "<span class=\"badge warn\">Off</span>").append("</h2>")
        .append(on ? "<p>Signing in needs your password and one of these:</p>"
            : "<p>Only your password protects your account. Add a second step below.</p>");
    factors(p, b, view);
    b.append("</section>");
    add(p, b, view);
    b.append("</div><div class=\"grid security-grid\">");
    recovery(p, b, view, on);
    trusted(p, b, user);
    b.append("</div>");
    activity(b, web.activity().recent(tenant, user.username(), 15));
    if (on) {
      b.append("<section class=\"card\"><h2>Turn off two-step verification</h2>").append(policy.requires(user)
          ? "<p class=\"muted\">Your company requires two-step verification, so it cannot be turned off.</p>"
          : "<p class=\"muted\">Removes every way above and your recovery codes, and forgets trusted browsers. Needs one valid code.</p>"
              + "<a class=\"button danger\" href=\"" + esc(p.path("/security/off")) + "\">Turn off…</a>")
          .append("</section>");
    }
    p.render("Security", b.toString());
  }

  private static void factors(PageContext p, StringBuilder b, AccountView view) {
    List<AccountView.Factor> active = SignInFlow.activeFactors(view);
    if (active.isEmpty()) {
      return;
    }
    b.append("<ul class=\"list factors\">");
    for (AccountView.Factor f : active) {
      String kind = switch (f.type()) {
        case StoredFactor.TOTP -> "App";
        case StoredFactor.PHONE -> "SMS";
        default -> "Push";
      };
      b.append("<li><div><span class=\"badge\">").append(kind).append("</span> <b>").append(esc(Enrolment.describe(f)))
          .append("</b><br><span class=\"small muted\">Added ").append(when(f.confirmedAt() != null ? f.confirmedAt() : f.createdAt()))
          .append(f.lastUsedAt() != null ? " · last used " + when(f.lastUsedAt()) : " · not used yet").append("</span></div>")
          .append("<a class=\"button\" href=\"").append(esc(p.path("/security/remove?id=" + f.id()))).append("\">Remove</a></li>");
    }
    b.append("</ul>");
  }

  private static void add(PageContext p, StringBuilder b, AccountView view) {
    boolean hasApp = view.factors().stream().anyMatch(f -> StoredFactor.TOTP.equals(f.type()) && "active".equals(f.status()));
    b.append("<section class=\"card\"><h2>Add a way to sign in</h2>");
    if (!mayAdd(p, view)) {
      b.append("<p>For your safety, adding a way to sign in needs a sign-in within the last 10 minutes, with your"
          + " password and a code. ").append(SignInFlow.TRUSTED_BROWSER.equals(p.session().attribute(SignInFlow.VIA))
              ? "This browser is trusted, so you signed in without a code: stop trusting it (below), then sign in again."
              : "Sign in again, then come back here.").append("</p><form method=\"post\" action=\"")
          .append(esc(p.path("/sign-out"))).append("\">").append(p.csrfField())
          .append("<button type=\"submit\">Sign in again</button></form></section>");
      return;
    }
    if (SignInFlow.hasTwoFactor(view)) {
      b.append("<p class=\"small muted\">You signed in less than 10 minutes ago, so no code is needed to add one.</p>");
    }
    if (!hasApp) {
      b.append("<h3>Authenticator app <span class=\"badge ok\">Recommended</span></h3><form method=\"post\" action=\"")
          .append(esc(p.path("/security/app"))).append("\">").append(p.csrfField())
          .append("<input type=\"hidden\" name=\"action\" value=\"start\"><button type=\"submit\" class=\"primary\">")
          .append("Set up the authenticator app</button></form>");
    }
    b.append("<h3>Phone number for text messages</h3>")
        .append(Enrolment.phoneForm(p, p.path("/security/phone"), "<input type=\"hidden\" name=\"action\" value=\"start\">"))
        .append("</section>");
  }

  private static void recovery(PageContext p, StringBuilder b, AccountView view, boolean on) {
    int left = view.recoveryCodes() == null ? 0 : view.recoveryCodes().remaining();
    b.append("<section class=\"card\"><h2>Recovery codes</h2><p>").append(left == 0 ? "You have no recovery codes."
        : left + " unused " + (left == 1 ? "code" : "codes") + " left.").append(on || left == 0 ? " Each lets you sign in"
        + " once when you do not have your phone.</p>" : " They are not needed while two-step verification is off, and"
        + " work again once you add a way to sign in.</p>");
    if (on || left > 0) {
      b.append("<a class=\"button\" href=\"").append(esc(p.path("/security/recovery-codes"))).append("\">")
          .append(left == 0 ? "Create recovery codes" : "Create new codes").append("</a>");
    } else {
      b.append("<p class=\"small muted\">You get them when you set up two-step verification.</p>");
    }
    b.append("</section>");
  }

  private static void trusted(PageContext p, StringBuilder b, UserStore.User user) {
    List<TrustedBrowsers.Trust> all = TrustedBrowsers.list(p, user.username());
    b.append("<section class=\"card\"><h2>Trusted browsers</h2>");
    if (all.isEmpty()) {
      b.append("<p class=\"muted\">None. Tick \"Trust this browser\" when you verify, to skip the code on that browser"
          + " for 30 days.</p></section>");
      return;
    }
    b.append("<ul class=\"list trusted\">");
    for (TrustedBrowsers.Trust t : all) {
      b.append("<li><div><b>").append(esc(t.browser())).append("</b>").append(t.current() ? " <span class=\"badge ok\">This browser</span>" : "")
          .append("<br><span class=\"small muted\">Since ").append(when(t.createdAt())).append(" from ").append(esc(t.ip()))
          .append(" · until ").append(when(t.expiresAt())).append("</span></div><form method=\"post\" action=\"")
          .append(esc(p.path("/security/trusted/revoke"))).append("\">").append(p.csrfField())
          .append("<input type=\"hidden\" name=\"id\" value=\"").append(esc(t.id())).append("\">")
          .append("<button type=\"submit\">Stop trusting</button></form></li>");
    }
    b.append("</ul></section>");
  }

  private static void activity(StringBuilder b, List<ActivityLog.Entry> entries) {
    b.append("<section class=\"card\"><h2>Recent activity</h2>");
    if (entries.isEmpty()) {
      b.append("<p class=\"muted\">Nothing yet.</p></section>");
      return;
    }
    b.append("<div class=\"table-wrap\"><table class=\"activity\"><thead><tr><th>When</th><th>What</th><th>From</th></tr>"
        + "</thead><tbody>");
    for (ActivityLog.Entry e : entries) {
      b.append("<tr").append(e.kind().endsWith("failed") ? " class=\"failed\"" : "").append("><td>").append(when(e.at()))
          .append("</td><td>").append(e.byAdmin() ? "<span class=\"badge warn\">Admin</span> " : "")
          .append(esc(e.detail())).append("</td><td>").append(esc(e.ip() == null ? "" : e.ip())).append("</td></tr>");
    }
    b.append("</tbody></table></div></section>");
  }

  static String when(Instant at) {
    return at == null ? "" : WHEN.format(at);
  }
}
