package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeMac;
import io.otpflow.common.PasswordHash;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/**
 * The account lock as the verifier applies it to whole checks, on a real Redis: concurrent wrong
 * codes cannot slip past the lock (the failure is reserved before the check), and an approval that
 * proves nothing about the account (an SMS to a number the caller chose) resets neither the lock
 * nor the push fatigue guard.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccountLockTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final CodeMac MAC = new CodeMac("account lock test key, thirty-two bytes".getBytes(StandardCharsets.UTF_8));
  private static final int THRESHOLD = 3;
  private static UnifiedJedis redis;
  private final String tenantId = "l-" + hex(6);
  private final Tenant tenant = new Tenant(tenantId, "Test", TenantDirectory.sha256(tenantId), 6, Duration.ofMinutes(5), 5,
      "{code}", null, "US", Tenant.SendLimits.DEFAULTS,
      new Tenant.Lockout(THRESHOLD, Duration.ofMinutes(1), Duration.ofHours(1)));
  private RedisCheckStore store;
  private FactorChecks factors;
  private Verifier verifier;

  @BeforeAll
  static void connect() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 64)
        .connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  private Verifier verifier() {
    store = new RedisCheckStore(redis, MAC);
    AccountStore accounts = new AccountStore(redis, MAC);
    SecretBox box = new SecretBox(Map.of("k1", new byte[32]));
    factors = new FactorChecks(accounts, box, MAC);
    return new Verifier(new TenantDirectory(List.of(tenant)), store, accounts, factors, Clock.fixed(T0, ZoneOffset.UTC),
        new SimpleMeterRegistry(), CheckFunnel.none(), box);
  }

  @Test
  void wrongCodesSentAtOnceCannotSlipPastTheAccountLock() throws Exception {
    verifier = verifier();
    int n = 40;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(verification("482913", "acct-1"));
    }
    List<CheckReply> replies = inParallel(n, i -> verifier.check(request(ids.get(i), "000000")).reply());
    long spent = ids.stream().filter(id -> !"0".equals(redis.hget(RedisKeys.verification(id), Field.ATTEMPTS))).count();
    assertThat(spent).as("wrong codes that were really checked").isEqualTo(THRESHOLD);
    assertThat(replies).filteredOn(r -> r instanceof CheckReply.Locked).hasSize(n - THRESHOLD + 1);
    assertThat(store.lockedFor(tenantId, "acct-1", T0)).isPositive();
  }

  @Test
  void anApprovalOfASmsToANumberTheCallerChoseResetsNoLockAndNoFatigueGuard() {
    verifier = verifier();
    store.recordFailure(tenant, "acct-2", T0);
    store.recordFailure(tenant, "acct-2", T0);
    String fatigue = RedisKeys.pushUnanswered(tenantId, AccountRegistryReader.accountMac(MAC, tenantId, "acct-2"));
    redis.sadd(fatigue, "VE" + hex(16));
    String id = verification("482913", "acct-2"); // an SMS to a "to" number: no phone factor of the account
    assertThat(verifier.check(request(id, "482913")).reply()).isInstanceOf(CheckReply.Approved.class);
    assertThat(redis.hget(RedisKeys.accountLock(tenantId, AccountRegistryReader.accountMac(MAC, tenantId, "acct-2")),
        "failures")).as("the consecutive failures stay").isEqualTo("2");
    assertThat(redis.exists(fatigue)).as("the fatigue guard stays").isTrue();
    store.recordFailure(tenant, "acct-2", T0);
    assertThat(store.lockedFor(tenantId, "acct-2", T0)).as("the next failure locks as before").isPositive();
  }

  @Test
  void aCheckThatSpendsNothingLeavesNoFailureBehind() {
    verifier = verifier();
    String id = verification("482913", "acct-3");
    assertThat(verifier.check(request(id, "482913")).reply()).isInstanceOf(CheckReply.Approved.class);
    for (int i = 0; i < THRESHOLD + 2; i++) {
      assertThat(verifier.check(request(id, "000000")).reply()).as("decided already").isInstanceOf(CheckReply.NotPending.class);
    }
    assertThat(store.lockedFor(tenantId, "acct-3", T0)).isZero();
    assertThat(redis.hget(RedisKeys.accountLock(tenantId, AccountRegistryReader.accountMac(MAC, tenantId, "acct-3")),
        "failures")).isIn(null, "0");
  }

  @Test
  void recoveryCodeChecksBeyondTheHashingSlotsAreRefusedAndSpendNothing() throws Exception {
    verifier = verifier();
    String id = verification("482913", "acct-4");
    redis.hset(RedisKeys.verification(id), Field.CHANNEL, "recovery_code");
    String recoveryMac = MAC.mac(tenantId, "recovery-code", "k7m2p9xqtd");
    factors.slots.acquire(FactorChecks.HASHES_AT_ONCE); // every Argon2id slot busy with other checks
    try {
      CheckReply reply = verifier.check(new CheckRequest(UUID.randomUUID().toString(), T0, tenantId, id,
          MAC.mac(tenantId, id, "000000"), recoveryMac, null)).reply();
      assertThat(reply).isEqualTo(new CheckReply.Unavailable(FactorChecks.Busy.REASON));
    } finally {
      factors.slots.release(FactorChecks.HASHES_AT_ONCE);
    }
    assertThat(redis.hget(RedisKeys.verification(id), Field.ATTEMPTS)).as("no attempt spent").isEqualTo("0");
    assertThat(redis.hget(RedisKeys.accountLock(tenantId, AccountRegistryReader.accountMac(MAC, tenantId, "acct-4")),
        "failures")).as("no failure counted").isIn(null, "0");
    assertThat(verifier.check(new CheckRequest(UUID.randomUUID().toString(), T0, tenantId, id,
        MAC.mac(tenantId, id, "000000"), recoveryMac, null)).reply()).as("with a free slot it is checked")
        .isInstanceOf(CheckReply.Denied.class);
  }

  private CheckRequest request(String id, String code) {
    return new CheckRequest(UUID.randomUUID().toString(), T0, tenantId, id, MAC.mac(tenantId, id, code), null, null);
  }

  /** A pending SMS verification for {@code account} as the issuer writes it, sent to a number the caller named. */
  private String verification(String code, String account) {
    String id = "VE" + hex(16);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Field.TENANT, tenantId);
    fields.put(Field.CHANNEL, "sms");
    fields.put(Field.TO_MASKED, "+141******71");
    fields.put(Field.ACCOUNT, account);
    fields.put(Field.MAC, MAC.mac(tenantId, id, code));
    fields.put(Field.STATUS, "pending");
    fields.put(Field.CREATED, Long.toString(T0.toEpochMilli()));
    fields.put(Field.EXPIRES, Long.toString(T0.plusSeconds(300).toEpochMilli()));
    fields.put(Field.ATTEMPTS, "0");
    fields.put(Field.MAX_ATTEMPTS, "5");
    redis.hset(RedisKeys.verification(id), fields);
    redis.pexpire(RedisKeys.verification(id), Duration.ofMinutes(10).toMillis());
    return id;
  }

  private static <T> List<T> inParallel(int n, java.util.function.IntFunction<T> call) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(executor.submit(() -> {
          start.await();
          return call.apply(index);
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    }
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
