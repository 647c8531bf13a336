package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtesecurityGenerated;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.SecurityView;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * /t/{tenant}/security: the signed-in person's own page. Their ways to sign in (apps, phones, push
 * devices) with remove, adding one, recovery codes, trusted browsers, turning 2FA off, their recent
 * sign-ins and 2FA events, and what an admin changed on their account since they last looked.
 */
public final class SecurityPages {
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);
  /** ?done=… after a change: fixed texts, nothing from the query is shown. */
  private static final Map<String, String> DONE = Map.of(
      "added", "Added. You can use it the next time you sign in.",
      "removed", "Removed. Trusted browsers were signed out of their trust too.",
      "off", "Two-step verification is off. Every trusted browser was forgotten.",
      "trust-revoked", "That browser is no longer trusted.");

  private final WebPlatform web;

  public SecurityPages(WebPlatform web) {
    this.web = web;
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

  public void overview(PageContext p) {
    UserStore.User user = signedIn(p);
    if (user == null) {
      return;
    }
    String tenant = p.tenant().id();
    AccountView view = SignInFlow.account(p, user);
    boolean on = SignInFlow.hasTwoFactor(view);
    PolicyStore.Policy policy = web.policies().get(tenant);
    List<Notice> notices = new ArrayList<>();
    String done = p.form("done");
    notices.add(Notice.ok(done == null ? null : DONE.get(done)));
    if (!on && policy.requires(user)) {
      int left = Math.max(0, policy.graceSignIns() - user.graceSignInsUsed());
      notices.add(Notice.warn("Your company requires 2FA: set it up now (" + left
          + (left == 1 ? " sign-in" : " sign-ins") + " left)."));
    }
    // One-time notices are taken (and the admin's changes marked seen) before the page renders.
    String notice = p.session().attribute(SignInFlow.NOTICE);
    if (notice != null) {
      int codes = view.recoveryCodes() == null ? 0 : view.recoveryCodes().remaining();
      notices.add(switch (notice) {
        case "password-changed" -> Notice.ok("Your password was changed. Every other session was signed out.");
        case "recovery-code" -> Notice.warn("You signed in with a recovery code. " + codes
            + (codes == 1 ? " code is" : " codes are") + " left: create new ones below if you are running low,"
            + " and add a way to sign in if you lost your phone.");
        default -> null; // "grace": the banner above says it whenever it applies
      });
      p.updateSession(web.sessions().withAttribute(p.session(), SignInFlow.NOTICE, null));
    }
    List<ActivityLog.Entry> admin = web.activity().unseenAdminActions(tenant, user.username());
    for (ActivityLog.Entry e : admin) {
      notices.add(Notice.info("An administrator changed your account on " + WHEN.format(e.at()) + ": " + e.detail()));
    }
    if (!admin.isEmpty()) {
      web.activity().markSeen(tenant, user.username(), web.clock().instant());
    }
    notices.removeIf(java.util.Objects::isNull);
    SecurityView page = new SecurityView(user.displayName(), user.username(),
        user.external() ? null : p.path("/security/password"), notices, on, factors(p, view), add(p, view),
        view.recoveryCodes() == null ? 0 : view.recoveryCodes().remaining(), p.path("/security/recovery-codes"),
        trusted(p, user), p.path("/security/trusted/revoke"), activity(web.activity().recent(tenant, user.username(), 15)),
        policy.requires(user) ? null : p.path("/security/off"));
    p.render((out, layout) -> JtesecurityGenerated.render(out, null, layout, page));
  }

  private static List<SecurityView.Factor> factors(PageContext p, AccountView view) {
    return SignInFlow.activeFactors(view).stream().map(f -> new SecurityView.Factor(switch (f.type()) {
      case StoredFactor.TOTP -> "App";
      case StoredFactor.PHONE -> "SMS";
      default -> "Push";
    }, Enrolment.describe(f), when(f.confirmedAt() != null ? f.confirmedAt() : f.createdAt()),
        f.lastUsedAt() == null ? null : when(f.lastUsedAt()), p.path("/security/remove?id=" + f.id()))).toList();
  }

  private static SecurityView.Add add(PageContext p, AccountView view) {
    boolean hasApp = view.factors().stream().anyMatch(f -> StoredFactor.TOTP.equals(f.type()) && "active".equals(f.status()));
    return new SecurityView.Add(mayAdd(p, view), SignInFlow.TRUSTED_BROWSER.equals(p.session().attribute(SignInFlow.VIA)),
        SignInFlow.hasTwoFactor(view), p.path("/sign-out"), hasApp ? null : p.path("/security/app"),
        Enrolment.phoneForm(p, p.path("/security/phone"), "start"));
  }

  private static List<SecurityView.Trust> trusted(PageContext p, UserStore.User user) {
    return TrustedBrowsers.list(p, user.username()).stream().map(t -> new SecurityView.Trust(t.id(), t.browser(),
        t.current(), when(t.createdAt()), t.ip(), when(t.expiresAt()))).toList();
  }

  private static List<SecurityView.Activity> activity(List<ActivityLog.Entry> entries) {
    return entries.stream().map(e -> new SecurityView.Activity(when(e.at()), e.kind().endsWith("failed"), e.byAdmin(),
        e.detail(), e.ip() == null ? "" : e.ip())).toList();
  }

  static String when(Instant at) {
    return at == null ? "" : WHEN.format(at);
  }
}
