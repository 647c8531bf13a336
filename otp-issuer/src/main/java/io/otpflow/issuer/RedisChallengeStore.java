package io.otpflow.issuer;

import io.otpflow.common.LuaScript;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/** The issuer's Redis adapter: verification hashes, destination pointers, idempotency keys, send limits. */
final class RedisChallengeStore {
  private static final LuaScript SEND_LIMITS = LuaScript.fromResource(RedisChallengeStore.class, "send-limits.lua");
  private static final LuaScript VOID = LuaScript.fromResource(RedisChallengeStore.class, "void.lua");
  private static final LuaScript DELIVERY = LuaScript.fromResource(RedisChallengeStore.class, "delivery.lua");
  private static final LuaScript IDEMPOTENCY = LuaScript.fromResource(RedisChallengeStore.class, "idempotency.lua");
  private static final LuaScript SET_IF_PRESENT = LuaScript.fromResource(RedisChallengeStore.class, "set-if-present.lua");
  private static final LuaScript DISPATCHED = LuaScript.fromResource(RedisChallengeStore.class, "dispatched.lua");
  private static final LuaScript PUSH_DELIVERY = LuaScript.fromResource(RedisChallengeStore.class, "push-delivery.lua");
  private static final LuaScript CREATE = LuaScript.fromResource(RedisChallengeStore.class, "create.lua");

  private final UnifiedJedis redis;
  private final Duration retention;

  /** @param retention how long a verification's record outlives its expiry, for status queries */
  RedisChallengeStore(UnifiedJedis redis, Duration retention) {
    this.redis = redis;
    this.retention = retention;
  }

  /** One sliding-window limit to check. */
  record Limit(String name, String key, int max, Duration window) {}

  sealed interface Admission {
    record Admitted() implements Admission {}

    record Refused(String limit, Duration retryAfter) implements Admission {}
  }

  Admission admit(List<Limit> limits, String member, Instant now) {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>(List.of(Long.toString(now.toEpochMilli()), member));
    for (Limit l : limits) {
      keys.add(l.key());
      args.add(Integer.toString(l.max()));
      args.add(Long.toString(l.window().toMillis()));
    }
    List<?> result = (List<?>) SEND_LIMITS.run(redis, keys, args);
    int hit = ((Long) result.get(0)).intValue();
    if (hit == 0) {
      return new Admission.Admitted();
    }
    return new Admission.Refused(limits.get(hit - 1).name(), Duration.ofMillis((Long) result.get(1)));
  }

  sealed interface IdempotencyClaim {
    record Claimed() implements IdempotencyClaim {}

    record Held(String verificationId, String fingerprint) implements IdempotencyClaim {}
  }

  IdempotencyClaim claimIdempotency(String key, String verificationId, String fingerprint, Duration ttl) {
    List<?> r =
        (List<?>) IDEMPOTENCY.run(redis, List.of(key),
            List.of(verificationId, fingerprint, Long.toString(ttl.toMillis()), Long.toString(System.currentTimeMillis())));
    if ("claimed".equals(r.get(0))) {
      return new IdempotencyClaim.Claimed();
    }
    return new IdempotencyClaim.Held((String) r.get(1), (String) r.get(2));
  }

  /** Keeps a claimed key as long as its verification's record, once that exists. */
  void keepIdempotency(String key, StoredVerification v) {
    redis.pexpire(key, keepMillis(v));
  }

  /** How long ago the key was claimed (from its claim time field), or zero when unknown. */
  Duration idempotencyAge(String key) {
    String claimed = redis.hget(key, "at");
    return claimed == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - Long.parseLong(claimed)));
  }

  /** The fingerprint of the request that claimed the key, or null when nobody holds it. */
  String idempotencyFingerprint(String key) {
    return redis.hget(key, "fp");
  }

  /** Frees a key claimed by a request that was then refused, so a retry can be served. */
  void releaseIdempotency(String key) {
    redis.del(key);
  }

  Optional<StoredVerification> find(String verificationId) {
    Map<String, String> hash = redis.hgetAll(RedisKeys.verification(verificationId));
    if (hash == null || hash.isEmpty() || !hash.containsKey(Field.CREATED)) {
      return Optional.empty();
    }
    return Optional.of(StoredVerification.fromHash(verificationId, hash));
  }

  /** Stores a new pending verification (not yet the destination's current one: see {@link #makeCurrent}). */
  void create(StoredVerification v, String mac) {
    create(v, mac, null, null);
  }

  /**
   * @param mac null for a verification that sends nothing: its code comes from the account's factors
   * @param factorId the account factor the verification uses or confirms, or null
   * @param countryCode the destination's calling code, kept for funnel metrics after the number is masked; or null
   */
  void create(StoredVerification v, String mac, String factorId, String countryCode) {
    write(v, fields(v, mac, factorId, countryCode));
  }

  /**
   * Stores a new push verification: mode, number, each device as queued and, in code mode, the code
   * sealed for re-dispatch ({@code sealedCode}, JSON; deleted by {@link #markDispatched}).
   */
  void createPush(StoredVerification v, String mac, String sealedCode) {
    Map<String, String> fields = fields(v, mac, null, null);
    fields.put(Field.MODE, v.mode());
    if (v.number() != null) {
      fields.put(Field.NUMBER, Integer.toString(v.number()));
    }
    v.devices().forEach((device, state) -> fields.put(Field.DEVICE + device, state));
    if (sealedCode != null) {
      fields.put(Field.SEALED_CODE, sealedCode);
    }
    write(v, fields);
  }

  /** The sealed code of a push verification not yet dispatched (JSON), or null. */
  String sealedCode(String verificationId) {
    return redis.hget(RedisKeys.verification(verificationId), Field.SEALED_CODE);
  }

  private Map<String, String> fields(StoredVerification v, String mac, String factorId, String countryCode) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Field.TENANT, v.tenant());
    fields.put(Field.CHANNEL, v.channel());
    if (v.toMasked() != null) {
      fields.put(Field.TO_MASKED, v.toMasked());
    }
    if (v.account() != null) {
      fields.put(Field.ACCOUNT, v.account());
    }
    if (factorId != null) {
      fields.put(Field.FACTOR, factorId);
    }
    if (mac != null) {
      fields.put(Field.MAC, mac);
    }
    if (v.dispatched()) {
      fields.put(Field.DISPATCHED, "1");
    }
    fields.put(Field.STATUS, "pending");
    fields.put(Field.CREATED, Long.toString(v.createdAt().toEpochMilli()));
    fields.put(Field.EXPIRES, Long.toString(v.expiresAt().toEpochMilli()));
    fields.put(Field.ATTEMPTS, "0");
    fields.put(Field.MAX_ATTEMPTS, Integer.toString(v.maxAttempts()));
    if (v.delivery() != null) {
      fields.put(Field.DELIVERY, v.delivery());
    } else {
      // Nothing is delivered (the code comes from the account's own factor): no provider will ever
      // report, so the funnel labels its checks provider="none" rather than "unknown".
      fields.put(Field.PROVIDER, Metrics.NONE);
    }
    if (countryCode != null) {
      fields.put(Field.COUNTRY_CODE, countryCode);
    }
    return fields;
  }

  private void write(StoredVerification v, Map<String, String> fields) {
    List<String> args = new ArrayList<>(1 + 2 * fields.size());
    args.add(Long.toString(keepMillis(v)));
    fields.forEach((field, value) -> {
      args.add(field);
      args.add(value);
    });
    CREATE.run(redis, List.of(RedisKeys.verification(v.id())), args);
  }

  private long keepMillis(StoredVerification v) {
    return Duration.between(v.createdAt(), v.expiresAt()).plus(retention).toMillis();
  }

  /** Makes a dispatched verification its destination's current one; the one it replaces (if still pending) is voided. */
  void makeCurrent(StoredVerification v, String destinationKey) {
    long ttl = Math.max(1, Duration.between(v.createdAt(), v.expiresAt()).toMillis());
    String previous = redis.setGet(destinationKey, v.id(), SetParams.setParams().px(ttl));
    if (previous != null && !previous.equals(v.id())) {
      VOID.run(redis, List.of(RedisKeys.verification(previous)), List.of());
    }
  }

  // Both write only into an existing record: an HSET on a key that just expired would create a
  // stray hash without a TTL.
  void replaceMac(String verificationId, String mac) {
    SET_IF_PRESENT.run(redis, List.of(RedisKeys.verification(verificationId)), List.of(Field.MAC, mac));
  }

  /** Every dispatch event is acknowledged: nothing is sent again, so a push code kept for that is deleted too. */
  void markDispatched(String verificationId) {
    DISPATCHED.run(redis, List.of(RedisKeys.verification(verificationId)), List.of());
  }

  boolean applyDelivery(String verificationId, String state) {
    return applyDelivery(verificationId, state, null).isPresent();
  }

  /**
   * A delivery state that moved forward: from {@code previous}, of the verification's tenant,
   * channel and calling code (empty strings when the record has none), created at {@code created}.
   */
  record DeliveryChange(String previous, String state, String tenant, String channel, String countryCode, Instant created) {}

  /** Moves the delivery state forward and records the provider; empty when nothing changed. */
  Optional<DeliveryChange> applyDelivery(String verificationId, String state, String provider) {
    List<?> r = (List<?>) DELIVERY.run(redis, List.of(RedisKeys.verification(verificationId)),
        List.of(state, provider == null ? "" : provider));
    if (!Long.valueOf(1).equals(r.get(0))) {
      return Optional.empty();
    }
    return Optional.of(change(r, state));
  }

  /**
   * One push device's report: that device's state moves (queued → sent or failed, sent →
   * delivered), then the verification's own delivery is derived from all its devices: delivered or
   * sent as soon as one device got there, failed only once every device failed, queued otherwise;
   * and it moves forward only. Empty when the verification as a whole did not change (also for a
   * device the verification was not sent to).
   */
  Optional<DeliveryChange> applyPushDelivery(String verificationId, String deviceId, String state, String reason,
      String provider) {
    List<?> r = (List<?>) PUSH_DELIVERY.run(redis, List.of(RedisKeys.verification(verificationId)),
        List.of(deviceId, state, reason == null ? "" : reason, provider == null ? "" : provider));
    if (!Long.valueOf(1).equals(r.get(0))) {
      return Optional.empty();
    }
    return Optional.of(change(r, (String) r.get(6)));
  }

  private static DeliveryChange change(List<?> r, String state) {
    String created = (String) r.get(5);
    return new DeliveryChange((String) r.get(1), state, (String) r.get(2), (String) r.get(3), (String) r.get(4),
        created.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(created)));
  }
}
