package io.otpflow.verifier;

import io.otpflow.common.CodeMac;
import io.otpflow.common.Json;
import io.otpflow.common.LuaScript;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.accounts.StoredFactor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * The verifier's adapter for the account registry: one hash per account (see {@link RedisKeys#account}).
 * Changes are computed in Java from a {@link Snapshot} and applied by {@code account-write.lua} only
 * if the account's version has not moved meanwhile; the hot paths of a check (a TOTP step, a
 * recovery code) are their own small atomic scripts that do not bump the version.
 */
final class AccountStore {
  private static final LuaScript WRITE = LuaScript.fromResource(AccountStore.class, "account-write.lua");
  private static final LuaScript STEP = LuaScript.decision(AccountStore.class, "totp-step.lua");
  private static final LuaScript CONSUME = LuaScript.decision(AccountStore.class, "recovery-consume.lua");
  /** How long the outcome of an account request is kept, so a redelivered request is answered again, not redone. */
  private static final Duration OUTCOME_TTL = Duration.ofHours(1);

  private final UnifiedJedis redis;
  private final CodeMac codeMac;

  AccountStore(UnifiedJedis redis, CodeMac codeMac) {
    this.redis = redis;
    this.codeMac = codeMac;
  }

  /** One account's registry as read at one version. */
  record Snapshot(String version, Map<String, StoredFactor> factors, Map<String, String> fields) {
    /** Live factors (active, or pending and not expired) in the order they were added. */
    List<StoredFactor> live(Instant now) {
      return factors.values().stream().filter(f -> f.isLive(now))
          .sorted(java.util.Comparator.comparing(StoredFactor::createdAt)).toList();
    }

    /** Pending factors past their expiry: every change removes them. */
    List<StoredFactor> expired(Instant now) {
      return factors.values().stream().filter(f -> !f.isLive(now)).toList();
    }

    Map<String, String> recoveryHashes() {
      Map<String, String> codes = new LinkedHashMap<>();
      fields.forEach((k, v) -> {
        if (k.startsWith(AccountField.RECOVERY)) {
          codes.put(k, v);
        }
      });
      return codes;
    }

    String field(String name) {
      return fields.get(name);
    }

    boolean hasActiveFactorOrRecoveryCodes(Instant now) {
      return live(now).stream().anyMatch(StoredFactor::isActive) || !recoveryHashes().isEmpty();
    }
  }

  Snapshot read(String tenant, String account) {
    Map<String, String> hash = redis.hgetAll(key(tenant, account));
    Map<String, StoredFactor> factors = new LinkedHashMap<>();
    hash.forEach((field, value) -> {
      if (field.startsWith(AccountField.FACTOR)) {
        factors.put(field.substring(AccountField.FACTOR.length()),
            Json.read(value.getBytes(StandardCharsets.UTF_8), StoredFactor.class));
      }
    });
    return new Snapshot(hash.getOrDefault(AccountField.VERSION, "0"), factors, hash);
  }

  /** Fields to set and to delete in one change. */
  static final class Change {
    final Map<String, String> set = new LinkedHashMap<>();
    final List<String> delete = new ArrayList<>();

    Change put(StoredFactor factor) {
      set.put(AccountField.FACTOR + factor.id(), Json.writeString(factor));
      return this;
    }

    Change put(String field, String value) {
      set.put(field, value);
      return this;
    }

    /** Removes a factor with everything that hangs on it. */
    Change remove(StoredFactor factor) {
      delete.add(AccountField.FACTOR + factor.id());
      delete.add(AccountField.STEP + factor.id());
      delete.add(AccountField.USED + factor.id());
      if (factor.fingerprint() != null) {
        delete.add((StoredFactor.DEVICE.equals(factor.type()) ? AccountField.TOKEN : AccountField.PHONE) + factor.fingerprint());
      }
      return this;
    }

    Change delete(String field) {
      delete.add(field);
      return this;
    }
  }

  /** Applies {@code change} if the account is still at {@code snapshot}'s version; false when it moved on. */
  boolean write(String tenant, String account, Snapshot snapshot, Change change) {
    List<String> args = new ArrayList<>(List.of(snapshot.version(), account, Integer.toString(change.set.size())));
    change.set.forEach((k, v) -> {
      args.add(k);
      args.add(v);
    });
    change.delete.stream().filter(d -> !change.set.containsKey(d)).forEach(args::add);
    return Long.valueOf(1).equals(WRITE.run(redis, List.of(key(tenant, account)), args));
  }

  /** The replay guard: true when {@code step} is later than the factor's last accepted step (and is now it). */
  boolean acceptStep(String tenant, String account, String factorId, long step) {
    return Long.valueOf(1).equals(STEP.run(redis, List.of(key(tenant, account)),
        List.of(AccountField.STEP + factorId, Long.toString(step), AccountField.FACTOR + factorId)));
  }

  /** Spends the recovery code stored as {@code hash} under {@code field}; false when it is gone already. */
  boolean consumeRecoveryCode(String tenant, String account, String field, String hash, Instant now) {
    return Long.valueOf(1).equals(CONSUME.run(redis, List.of(key(tenant, account)),
        List.of(field, hash, Long.toString(now.toEpochMilli()))));
  }

  void markUsed(String tenant, String account, String factorId, Instant now) {
    redis.hset(key(tenant, account), AccountField.USED + factorId, Long.toString(now.toEpochMilli()));
  }

  /** Keeps the tenant's "who has 2FA" set in step with the account (idempotent, so it may lag a change, never drift). */
  void index(String tenant, String account, boolean hasFactors) {
    String mac = AccountRegistryReader.accountMac(codeMac, tenant, account);
    if (hasFactors) {
      redis.sadd(RedisKeys.accountsWithFactors(tenant), mac);
    } else {
      redis.srem(RedisKeys.accountsWithFactors(tenant), mac);
    }
  }

  /** The remembered outcome of an account request (JSON), or null. */
  String outcome(String tenant, String account, String requestId) {
    return redis.get(outcomeKey(tenant, account, requestId));
  }

  void rememberOutcome(String tenant, String account, String requestId, String json) {
    redis.set(outcomeKey(tenant, account, requestId), json, SetParams.setParams().px(OUTCOME_TTL.toMillis()));
  }

  private String key(String tenant, String account) {
    return RedisKeys.account(tenant, AccountRegistryReader.accountMac(codeMac, tenant, account));
  }

  private String outcomeKey(String tenant, String account, String requestId) {
    return key(tenant, account) + ":req:" + requestId;
  }
}
