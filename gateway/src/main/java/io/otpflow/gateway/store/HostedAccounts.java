package io.otpflow.gateway.store;

import io.otpflow.common.events.AccountView;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * Where the hosted pages' people keep their factors in the account registry, and which account ids
 * the application API key may not touch.
 *
 * <p>A person's registry account is {@code ~<username>} ({@link #of}). The JSON API never accepted a
 * {@code ~} in an account id, so no application's own end-user can have such an id, and it still
 * refuses one to the application key: only the tenant's admin key reaches these accounts through
 * {@code /v1/accounts}. An application key that could enrol its own app on the account {@code admin}
 * could otherwise sign in as the hosted admin.
 *
 * <p>People created before this namespace keep their factors under their plain username, sealed with
 * that name (moving them would take every service's keys). Until they move, that plain id counts as
 * theirs too ({@link #isHosted}): the application key is refused on it. They move at their next
 * sign-in once their account holds nothing (no factor, device or recovery code: after turning 2FA
 * off, or a helpdesk reset), see {@link UserStore#moveToReservedAccount}.
 */
public final class HostedAccounts {
  /** The first character of a hosted person's registry account; never in an account id the application chose. */
  public static final String PREFIX = "~";

  private HostedAccounts() {}

  /** The registry account of a person created now. */
  public static String of(String username) {
    return PREFIX + username;
  }

  /**
   * True when {@code account} belongs to a person of the hosted pages of {@code tenant}: the reserved
   * form, or the plain username of a person who has not moved yet.
   */
  public static boolean isHosted(UnifiedJedis redis, String tenant, String account) {
    if (account.startsWith(PREFIX)) {
      return true;
    }
    if (!UserStore.USERNAME.matcher(account).matches()) {
      return false;
    }
    List<String> h = redis.hmget(UserStore.key(tenant, account), "created_at", UserStore.ACCOUNT);
    return h.get(0) != null && (h.get(1) == null || h.get(1).equals(account));
  }

  /** Nothing in the registry account: no factor or device (pending ones included) and no recovery code. */
  static boolean empty(AccountView view) {
    return view.factors().isEmpty() && view.devices().isEmpty()
        && (view.recoveryCodes() == null || view.recoveryCodes().remaining() == 0);
  }
}
