package io.otpflow.verifier;

import io.otpflow.common.CodeMac;
import io.otpflow.common.LuaScript;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.Tenant;
import io.otpflow.common.accounts.AccountRegistryReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/** The verifier's Redis adapter: the atomic check, and the per-account consecutive-failure lock. */
final class RedisCheckStore {
  private static final LuaScript CHECK = LuaScript.decision(RedisCheckStore.class, "check.lua");
  private static final LuaScript ACCOUNT_FAILURE = LuaScript.fromResource(RedisCheckStore.class, "account-failure.lua");
  private static final LuaScript ACCOUNT_REFUND = LuaScript.fromResource(RedisCheckStore.class, "account-refund.lua");

  private static final LuaScript USE_AS_PROOF = LuaScript.decision(RedisCheckStore.class, "use-as-proof.lua");
  private static final LuaScript ANSWER = LuaScript.decision(RedisCheckStore.class, "answer.lua");

  private final UnifiedJedis redis;
  private final CodeMac codeMac;

  /** @param codeMac keys the account part of lock keys, so an account name cannot be read back from them */
  RedisCheckStore(UnifiedJedis redis, CodeMac codeMac) {
    this.redis = redis;
    this.codeMac = codeMac;
  }

  /**
   * What check.lua decided; {@code status} is set for not_pending (approved or canceled);
   * {@code spent} when this call used up an attempt (false for a redelivered request and for a
   * verification that was already decided), so account bookkeeping happens once per real attempt.
   */
  record Result(String outcome, int attemptsLeft, String account, String status, boolean spent) {}

  Result check(String tenant, String verificationId, String codeMac, Instant now, String requestId) {
    return check(tenant, verificationId, codeMac, now, requestId, null);
  }

  /**
   * @param decided null to compare {@code codeMac} with the stored MAC; true/false when the verifier
   *     decided the code from the account's factors (authenticator-app and recovery-code verifications)
   */
  Result check(String tenant, String verificationId, String codeMac, Instant now, String requestId, Boolean decided) {
    List<?> r =
        (List<?>)
            CHECK.run(
                redis,
                List.of(RedisKeys.verification(verificationId)),
                List.of(codeMac, Long.toString(now.toEpochMilli()), tenant, requestId,
                    decided == null ? "" : decided ? "match" : "nomatch"));
    String account = (String) r.get(2);
    String status = (String) r.get(3);
    return new Result(
        (String) r.get(0),
        ((Number) r.get(1)).intValue(),
        account.isEmpty() ? null : account,
        status.isEmpty() ? null : status,
        ((Number) r.get(4)).intValue() == 1);
  }

  /**
   * The account (null when none), channel, factor and push mode of a verification, as far as a check
   * needs them before deciding; {@code open} when it is pending, not expired and has attempts left.
   */
  record Owner(String account, String channel, String factor, boolean open, String mode) {
    static final Owner NONE = new Owner(null, null, null, false, null);

    /** A push verification that a device approves or denies, rather than one checked with a code. */
    boolean answeredByDevice() {
      return "push".equals(channel) && "approve".equals(mode);
    }
  }

  /**
   * The account and channel of the tenant's verification, read before the check so a locked account
   * spends no attempt; {@link Owner#NONE} when the verification is missing or another tenant's.
   */
  Owner ownerOf(String tenant, String verificationId, Instant now) {
    List<String> f =
        redis.hmget(RedisKeys.verification(verificationId), RedisKeys.Field.TENANT, RedisKeys.Field.ACCOUNT,
            RedisKeys.Field.CHANNEL, RedisKeys.Field.FACTOR, RedisKeys.Field.STATUS, RedisKeys.Field.EXPIRES,
            RedisKeys.Field.ATTEMPTS, RedisKeys.Field.MAX_ATTEMPTS, RedisKeys.Field.MODE);
    if (!tenant.equals(f.get(0))) {
      return Owner.NONE;
    }
    boolean open = "pending".equals(f.get(4)) && f.get(5) != null && now.toEpochMilli() < Long.parseLong(f.get(5))
        && f.get(6) != null && f.get(7) != null && Integer.parseInt(f.get(6)) < Integer.parseInt(f.get(7));
    return new Owner(f.get(1), f.get(2), f.get(3), open, f.get(8));
  }

  /** The tenant of a verification (null when there is none), read before an answer without an API key is checked. */
  String tenantOf(String verificationId) {
    return redis.hget(RedisKeys.verification(verificationId), RedisKeys.Field.TENANT);
  }

  /** The device that answered, as the verification records it. */
  record Answerer(String deviceId, String name, String label) {}

  /**
   * A device's answer, whose signature the caller has verified, applied atomically by answer.lua:
   * the first valid answer decides (deny → denied; approve → approved, or with number matching a
   * wrong number spends an attempt); a redelivered request gets its first answer again.
   *
   * @param number the number the device sent, or null
   */
  Result answer(String tenant, String verificationId, String requestId, String decision, Integer number,
      Answerer device, Instant now) {
    List<?> r = (List<?>) ANSWER.run(redis, List.of(RedisKeys.verification(verificationId)),
        List.of(tenant, requestId, Long.toString(now.toEpochMilli()), decision, number == null ? "" : number.toString(),
            device.deviceId(), device.name() == null ? "" : device.name(), device.label() == null ? "" : device.label()));
    String account = (String) r.get(2);
    String status = (String) r.get(3);
    return new Result((String) r.get(0), ((Number) r.get(1)).intValue(), account.isEmpty() ? null : account,
        status.isEmpty() ? null : status, ((Number) r.get(4)).intValue() == 1);
  }

  /**
   * Spends an approved verification of {@code account} as proof for one factor change: only once,
   * and only within {@code maxAge} of its approval. False for anything else (another tenant's or
   * account's, not approved, too old, already used).
   */
  boolean useAsProof(String tenant, String account, String verificationId, Instant now, Duration maxAge) {
    Object r = USE_AS_PROOF.run(redis, List.of(RedisKeys.verification(verificationId)),
        List.of(tenant, account, Long.toString(now.toEpochMilli()), Long.toString(maxAge.toMillis())));
    return Long.valueOf(1).equals(r);
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
    List<?> r = failure(tenant, account, now, "record");
    long until = (Long) r.get(1);
    return until > 0 ? Duration.ofMillis(until - now.toEpochMilli()) : Duration.ZERO;
  }

  /**
   * What {@link #reserveFailure} decided: refused while the account is locked ({@code refusedFor} &gt; 0,
   * nothing counted), else one failure counted in advance, and the lock it starts should the attempt
   * fail ({@code lockIfFailed}, zero when none).
   */
  record Reservation(Duration refusedFor, Duration lockIfFailed, long lockedUntil, long replacedUntil) {
    boolean refused() {
      return !refusedFor.isZero();
    }
  }

  /**
   * Reads the lock and counts a failure in one atomic step, before the attempt: concurrent attempts
   * cannot all pass a lock the first failure among them starts. The caller settles it after the
   * attempt: {@link #resetFailures} on a success that proves the account, {@link #refundFailure} when
   * the attempt spent nothing or proved nothing, and nothing more on a failure (it is counted).
   */
  Reservation reserveFailure(Tenant tenant, String account, Instant now) {
    List<?> r = failure(tenant, account, now, "reserve");
    long failures = (Long) r.get(0);
    long until = (Long) r.get(1);
    long replaced = (Long) r.get(2);
    Duration lock = until > 0 ? Duration.ofMillis(Math.max(1, until - now.toEpochMilli())) : Duration.ZERO;
    return failures < 0 ? new Reservation(lock, Duration.ZERO, 0, 0) : new Reservation(Duration.ZERO, lock, until, replaced);
  }

  /** Gives back one reserved failure (the attempt spent nothing, or its success proves nothing about the account). */
  void refundFailure(Tenant tenant, String account, Reservation reserved) {
    ACCOUNT_REFUND.run(redis, List.of(lockKey(tenant.id(), account)), List.of(Integer.toString(tenant.lockout().threshold()),
        Long.toString(reserved.lockedUntil()), Long.toString(reserved.replacedUntil())));
  }

  private List<?> failure(Tenant tenant, String account, Instant now, String mode) {
    Tenant.Lockout lockout = tenant.lockout();
    return (List<?>) ACCOUNT_FAILURE.run(redis, List.of(lockKey(tenant.id(), account)),
        List.of(Long.toString(now.toEpochMilli()), Integer.toString(lockout.threshold()),
            Long.toString(lockout.baseDelay().toMillis()), Long.toString(lockout.maxDelay().toMillis()),
            Long.toString(lockout.maxDelay().plus(Duration.ofDays(1)).toMillis()), mode));
  }

  /**
   * A success of the account: its consecutive failures are forgotten, and so are its unanswered
   * push verifications (the fatigue guard), in one command (both keys are in the tenant's slot).
   */
  void resetFailures(String tenant, String account) {
    redis.del(lockKey(tenant, account),
        RedisKeys.pushUnanswered(tenant, AccountRegistryReader.accountMac(codeMac, tenant, account)));
  }

  private String lockKey(String tenant, String account) {
    return RedisKeys.accountLock(tenant, AccountRegistryReader.accountMac(codeMac, tenant, account));
  }
}
