package io.otpflow.verifier;

import io.otpflow.common.LuaScript;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/** The verifier's Redis adapter: the atomic check, and the per-account consecutive-failure lock. */
final class RedisCheckStore {
  private static final LuaScript CHECK = LuaScript.fromResource(RedisCheckStore.class, "check.lua");
  private static final LuaScript ACCOUNT_FAILURE = LuaScript.fromResource(RedisCheckStore.class, "account-failure.lua");

  private final UnifiedJedis redis;

  RedisCheckStore(UnifiedJedis redis) {
    this.redis = redis;
  }

  /**
   * What check.lua decided; {@code status} is set for not_pending (approved or canceled);
   * {@code spent} when this call used up an attempt (false for a redelivered request and for a
   * verification that was already decided), so account bookkeeping happens once per real attempt.
   */
  record Result(String outcome, int attemptsLeft, String account, String status, boolean spent) {}

  Result check(String tenant, String verificationId, String codeMac, Instant now, String requestId) {
    List<?> r =
        (List<?>)
            CHECK.run(
                redis,
                List.of(RedisKeys.verification(verificationId)),
                List.of(codeMac, Long.toString(now.toEpochMilli()), tenant, requestId));
    String account = (String) r.get(2);
    String status = (String) r.get(3);
    return new Result(
        (String) r.get(0),
        ((Number) r.get(1)).intValue(),
        account.isEmpty() ? null : account,
        status.isEmpty() ? null : status,
        ((Number) r.get(4)).intValue() == 1);
  }

  /** The account (null when none) and channel of a verification, as far as a check needs them before deciding. */
  record Owner(String account, String channel) {
    static final Owner NONE = new Owner(null, null);
  }

  /**
   * The account and channel of the tenant's verification, read before the check so a locked account
   * spends no attempt; {@link Owner#NONE} when the verification is missing or another tenant's.
   */
  Owner ownerOf(String tenant, String verificationId) {
    List<String> fields =
        redis.hmget(RedisKeys.verification(verificationId), RedisKeys.Field.TENANT, RedisKeys.Field.ACCOUNT,
            RedisKeys.Field.CHANNEL);
    return tenant.equals(fields.get(0)) ? new Owner(fields.get(1), fields.get(2)) : Owner.NONE;
  }

  /** How long the account stays locked, or zero. */
  Duration lockedFor(String tenant, String account, Instant now) {
    String until = redis.hget(lockKey(tenant, account), "until");
    if (until == null) {
      return Duration.ZERO;
    }
    long millis = Long.parseLong(until) - now.toEpochMilli();
    return millis > 0 ? Duration.ofMillis(millis) : Duration.ZERO;
  }

  /** Records a failure; returns how long the account is now locked (zero when not yet). */
  Duration recordFailure(Tenant tenant, String account, Instant now) {
    Tenant.Lockout lockout = tenant.lockout();
    List<?> r =
        (List<?>)
            ACCOUNT_FAILURE.run(
                redis,
                List.of(lockKey(tenant.id(), account)),
                List.of(
                    Long.toString(now.toEpochMilli()),
                    Integer.toString(lockout.threshold()),
                    Long.toString(lockout.baseDelay().toMillis()),
                    Long.toString(lockout.maxDelay().toMillis()),
                    Long.toString(lockout.maxDelay().plus(Duration.ofDays(1)).toMillis())));
    long until = (Long) r.get(1);
    return until > 0 ? Duration.ofMillis(until - now.toEpochMilli()) : Duration.ZERO;
  }

  void resetFailures(String tenant, String account) {
    redis.del(lockKey(tenant, account));
  }

  private static String lockKey(String tenant, String account) {
    return RedisKeys.accountLock(tenant, TenantDirectory.sha256(account));
  }
}
