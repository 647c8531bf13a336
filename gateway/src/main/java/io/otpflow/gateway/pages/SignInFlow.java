package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.store.SessionStore;
import io.otpflow.gateway.store.SessionStore.Stage;
import java.time.Instant;
import java.util.List;

/**
 * Where a person goes once their password is right, and how a sign-in ends. The company policy
 * decides: someone with 2FA gives their second factor; someone who must have 2FA but has none is
 * let in for the policy's grace sign-ins (told each time), then must set it up before anything else;
 * anyone else is signed in. Each step gets a new session id.
 */
public final class SignInFlow {
  /** Session attribute: a one-time notice shown on the next page (a key of the page's own messages). */
  public static final String NOTICE = "notice";
  /** Session attribute: how the second factor was skipped ({@link #TRUSTED_BROWSER}); absent when a code was given. */
  public static final String VIA = SessionStore.VIA;
  public static final String TRUSTED_BROWSER = "trusted-browser";

  private SignInFlow() {}

  /** The person's active factors and devices (pending enrolments left out). */
  public static List<AccountView.Factor> activeFactors(AccountView view) {
    return java.util.stream.Stream.concat(view.factors().stream(), view.devices().stream())
        .filter(f -> "active".equals(f.status())).toList();
  }

  public static boolean hasTwoFactor(AccountView view) {
    return !activeFactors(view).isEmpty();
  }

  /** Reads the person's account; throws {@link PageContext.PlatformUnavailable} when the registry cannot answer. */
  public static AccountView account(PageContext page, UserStore.User user) {
    AccountReply reply = page.await(page.web().calls().account(page.tenant(), user.account()));
    return switch (reply) {
      case AccountReply.Done d -> d.account();
      case AccountReply.NotFound n -> new AccountView(user.account(), List.of(), List.of(),
          new AccountView.RecoveryCodes(0, null, null));
      default -> throw new PageContext.PlatformUnavailable(new IllegalStateException("registry answered " + reply));
    };
  }

  /** After a right password: the second factor, setup, or straight in. */
  public static void afterPassword(PageContext page, UserStore.User person) {
    WebPlatform web = page.web();
    AccountView view = account(page, person);
    // Here, before any page uses the person's account: an empty plain-username account moves to the reserved one.
    UserStore.User user = web.users().moveToReservedAccount(person, view);
    if (user != person) {
      view = account(page, user);
    }
    if (hasTwoFactor(view)) {
      if (TrustedBrowsers.trusts(page, user)) {
        // Password and trust cookie, no code: in, but not fresh enough to add a way to sign in.
        signIn(page, user, "trusted browser");
        page.updateSession(web.sessions().withAttribute(page.session(), VIA, TRUSTED_BROWSER));
        page.redirect(page.path("/security"));
        return;
      }
      page.switchSession(web.sessions().advance(page.session(), user.username(), Stage.SECOND_FACTOR, web.clock().instant()));
      page.redirect(page.path("/sign-in/verify"));
      return;
    }
    PolicyStore.Policy policy = web.policies().get(page.tenant().id());
    if (policy.requires(user)) {
      // The count that decides is the one the increment returns: sign-ins that come at once all read
      // the same count from before, so a check of that alone would let every one of them in.
      long used = user.graceSignInsUsed() >= policy.graceSignIns() ? Long.MAX_VALUE
          : web.users().useGraceSignIn(page.tenant().id(), user.username());
      if (used > policy.graceSignIns()) {
        page.switchSession(web.sessions().advance(page.session(), user.username(), Stage.SETUP, web.clock().instant()));
        page.redirect(page.path("/security/setup"));
        return;
      }
      complete(page, user, "password only (grace sign-in " + used + " of " + policy.graceSignIns() + ")");
      page.updateSession(web.sessions().withAttribute(page.session(), NOTICE, "grace"));
      return;
    }
    complete(page, user, "password only");
  }

  /** Ends a sign-in: a new signed-in session, the sign-in recorded, on to the security page. */
  public static void complete(PageContext page, UserStore.User user, String how) {
    signIn(page, user, how);
    page.redirect(page.path("/security"));
  }

  /** {@link #complete} without the redirect: for a page that shows something once on the way in (recovery codes). */
  public static void signIn(PageContext page, UserStore.User user, String how) {
    WebPlatform web = page.web();
    Instant now = web.clock().instant();
    page.switchSession(web.sessions().advance(page.session(), user.username(), Stage.SIGNED_IN, now));
    web.users().recordSignIn(page.tenant().id(), user.username(), now);
    web.activity().record(page.tenant().id(), user.username(),
        new ActivityLog.Entry(now, "sign-in", user.username(), "Signed in: " + how + ".", page.clientIp()));
  }

  /**
   * Ends every session of the person and forgets every browser they trusted: on a password change
   * and when an admin disables them, a trusted browser must not skip the second factor either.
   */
  public static void endEverywhere(WebPlatform web, String tenant, String username) {
    web.sessions().deleteAllOf(tenant, username);
    TrustedBrowsers.revokeAll(web.redis(), tenant, username);
  }
}
