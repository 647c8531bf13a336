package io.otpflow.gateway.pages;

import gg.jte.generated.precompiled.pages.JteconfirmGenerated;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.pages.view.ConfirmView;
import io.otpflow.gateway.store.SessionStore.Session;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.store.UserStore;
import java.time.Duration;
import java.time.Instant;

/**
 * The one rule for "this browser gave its second factor a moment ago", which every check of
 * freshness goes through: adding a way to sign in, and an admin's sensitive actions (creating an
 * admin, removing someone's factors, setting someone's password).
 *
 * <p>A session gave its second factor at its last full sign-in ({@link Session#authenticatedAt}),
 * unless that sign-in skipped it on a trusted browser ({@link SignInFlow#VIA}). A new session id
 * (after a password change) is no new sign-in: it keeps both ({@link SessionStore#renew}), so a
 * password and a trusted browser can never add up to a fresh second factor. An admin who is not
 * fresh is led back to the code step ({@link #confirm}), which a trusted browser does not skip.
 */
public final class RecentSecondFactor {
  /** How recent the second factor must be. */
  public static final Duration WINDOW = Duration.ofMinutes(10);
  /** POST: the signed-in person gives their second factor again, then comes back to their security page. */
  public static final String CONFIRM = "/sign-in/confirm";

  private RecentSecondFactor() {}

  /** True when the session's last sign-in was within {@link #WINDOW} and did not skip the second factor. */
  static boolean given(Session s, Instant now) {
    Instant at = s.authenticatedAt();
    return s.signedIn() && at != null && now.isBefore(at.plus(WINDOW)) && !trustedBrowser(s);
  }

  /** The sign-in of this session skipped the code because the browser was trusted. */
  static boolean trustedBrowser(Session s) {
    return SignInFlow.TRUSTED_BROWSER.equals(s.attribute(SignInFlow.VIA));
  }

  /** Adding a way to sign in: anyone without 2FA; with 2FA only right after giving it. */
  static boolean mayAddFactor(Session s, AccountView view, Instant now) {
    return !SignInFlow.hasTwoFactor(view) || given(s, now);
  }

  /**
   * An admin's sensitive action: only with a second factor given within {@link #WINDOW}. An admin
   * without any second factor cannot give one, so they set one up first: an open admin session must
   * not be able to make another admin who then strips the first one's factors.
   */
  static boolean allowsAdminAction(Session s, AccountView adminsAccount, Instant now) {
    return SignInFlow.hasTwoFactor(adminsAccount) && given(s, now);
  }

  /**
   * For an admin handler: true when it may go on; else the page that says why and offers the way
   * (confirm with a code, or set up 2FA first) is sent (403) and nothing is changed.
   */
  static boolean demand(PageContext p, UserStore.User admin) {
    AccountView view = SignInFlow.account(p, admin);
    if (allowsAdminAction(p.session(), view, p.web().clock().instant())) {
      return true;
    }
    ConfirmView page = new ConfirmView(SignInFlow.hasTwoFactor(view), trustedBrowser(p.session()), p.path(CONFIRM),
        p.path("/security"));
    p.render(403, (out, layout) -> JteconfirmGenerated.render(out, null, layout, page));
    return false;
  }

  /** POST {@link #CONFIRM}: back to the code step for the same person; after it, the session is fresh. */
  public static void confirm(PageContext p) {
    UserStore.User user = SecurityPages.signedIn(p);
    if (user == null) {
      return;
    }
    if (!SignInFlow.hasTwoFactor(SignInFlow.account(p, user))) {
      p.redirect(p.path("/security"));
      return;
    }
    p.switchSession(p.web().sessions().advance(p.session(), user.username(), Stage.SECOND_FACTOR,
        p.web().clock().instant()));
    p.redirect(p.path("/sign-in/verify"));
  }
}
