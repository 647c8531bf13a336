package io.otpflow.gateway.store;

import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * A company's 2FA policy ({@code otp:web:policy:{t:<tenant>}}), set by its admins on the policy page.
 * Forced: everyone without 2FA (external identity-provider users excepted) is led through setup
 * at sign-in, after {@code graceSignIns} sign-ins without it. Opt-in: each person chooses; an admin
 * can still require 2FA of one person, who then gets the same grace.
 */
public final class PolicyStore {
  public enum Mode { OPT_IN, FORCED }

  /** @param graceSignIns sign-ins allowed without 2FA once it is required (0: set up at the next one) */
  public record Policy(Mode mode, int graceSignIns) {
    public static final Policy DEFAULT = new Policy(Mode.OPT_IN, 3);
    public static final int MAX_GRACE = 100;

    public Policy {
      if (graceSignIns < 0 || graceSignIns > MAX_GRACE) {
        throw new IllegalArgumentException("grace sign-ins must be 0 to " + MAX_GRACE);
      }
    }

    /** True when {@code user} must have 2FA under this policy. */
    public boolean requires(UserStore.User user) {
      return !user.external() && (mode == Mode.FORCED || user.twoFactorRequired());
    }
  }

  private final UnifiedJedis redis;

  public PolicyStore(UnifiedJedis redis) {
    this.redis = redis;
  }

  static String key(String tenant) {
    return "otp:web:policy:{t:" + tenant + "}";
  }

  public Policy get(String tenant) {
    Map<String, String> h = redis.hgetAll(key(tenant));
    if (h.isEmpty()) {
      return Policy.DEFAULT;
    }
    return new Policy("forced".equals(h.get("mode")) ? Mode.FORCED : Mode.OPT_IN,
        Integer.parseInt(h.getOrDefault("grace_sign_ins", Integer.toString(Policy.DEFAULT.graceSignIns()))));
  }

  public void set(String tenant, Policy policy) {
    redis.hset(key(tenant), Map.of("mode", policy.mode() == Mode.FORCED ? "forced" : "opt-in",
        "grace_sign_ins", Integer.toString(policy.graceSignIns())));
  }
}
