package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.CodeMac;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/**
 * check.lua and account-failure.lua against a real Redis. Verifications are written the way the
 * issuer writes them; "now" is passed in, so expiry and lock delays are exact. Each test works
 * under its own tenant and verification ids.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisCheckStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final CodeMac MAC =
      new CodeMac("verifier test key, thirty-two bytes or more".getBytes(StandardCharsets.UTF_8));

  static UnifiedJedis redis;
  private RedisCheckStore store;
  private String tenant;

  @BeforeAll
  static void connect() {
    RedisFixture fixture = RedisFixture.shared();
    redis = new RedisSettings(URI.create(fixture.uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 32).connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @BeforeEach
  void freshTenant() {
    store = new RedisCheckStore(redis, MAC);
    tenant = "t-" + hex(8);
  }

  // ---------------------------------------------------------------- the check

  @Test
  void theRightCodeApprovesOnceThenTheVerificationIsNotPending() {
    String id = verification("482913", 5, "user-1");

    RedisCheckStore.Result first = check(id, "482913", T0.plusSeconds(10));
    RedisCheckStore.Result second = check(id, "482913", T0.plusSeconds(11));

    assertThat(first.outcome()).isEqualTo("approved");
    assertThat(first.account()).isEqualTo("user-1");
    assertThat(first.spent()).isTrue();
    assertThat(second.outcome()).isEqualTo("not_pending");
    assertThat(second.spent()).isFalse();
    assertThat(second.status()).isEqualTo("approved");
    assertThat(hash(id)).containsEntry(Field.STATUS, "approved").doesNotContainKey(Field.MAC);
  }

  @Test
  void wrongCodesCountDownThenLockEvenForTheRightCode() {
    String id = verification("482913", 3, null);

    RedisCheckStore.Result one = check(id, "000000", T0);
    RedisCheckStore.Result two = check(id, "111111", T0);
    RedisCheckStore.Result three = check(id, "222222", T0);
    RedisCheckStore.Result right = check(id, "482913", T0);

    assertThat(one.outcome()).isEqualTo("denied");
    assertThat(one.attemptsLeft()).isEqualTo(2);
    assertThat(one.account()).isNull();
    assertThat(two.outcome()).isEqualTo("denied");
    assertThat(two.attemptsLeft()).isEqualTo(1);
    assertThat(three.outcome()).isEqualTo("locked");
    assertThat(three.attemptsLeft()).isZero();
    assertThat(right.outcome()).isEqualTo("locked");
    assertThat(hash(id))
        .containsEntry(Field.STATUS, "locked")
        .containsEntry(Field.ATTEMPTS, "3")
        .doesNotContainKey(Field.MAC);
  }

  @Test
  void theRightCodeStillApprovesAfterSomeWrongOnes() {
    String id = verification("482913", 3, null);

    assertThat(check(id, "000000", T0).outcome()).isEqualTo("denied");
    assertThat(check(id, "111111", T0).outcome()).isEqualTo("denied");
    assertThat(check(id, "482913", T0).outcome()).isEqualTo("approved");
  }

  @Test
  void macsThatAreEmptyOrCutShortAreDenied() {
    String id = verification("482913", 5, null);
    String right = MAC.mac(tenant, id, "482913");

    assertThat(store.check(tenant, id, right.substring(0, 63), T0, requestId()).outcome()).isEqualTo("denied");
    assertThat(store.check(tenant, id, right + "0", T0, requestId()).outcome()).isEqualTo("denied");
    assertThat(store.check(tenant, id, "", T0, requestId()).outcome()).isEqualTo("denied");
    assertThat(store.check(tenant, id, right, T0, requestId()).outcome()).isEqualTo("approved");
  }

  @Test
  void aCodeExpiresAtItsExpiryInstant() {
    String early = verification("482913", 5, null);
    String late = verification("482913", 5, null);

    assertThat(check(early, "482913", T0.plus(TTL).minusMillis(1)).outcome()).isEqualTo("approved");
    RedisCheckStore.Result expired = check(late, "482913", T0.plus(TTL));

    assertThat(expired.outcome()).isEqualTo("expired");
    assertThat(hash(late))
        .containsEntry(Field.STATUS, "expired")
        .containsEntry(Field.ATTEMPTS, "0")
        .doesNotContainKey(Field.MAC);
    assertThat(check(late, "482913", T0).outcome()).as("stays expired even if a clock goes back").isEqualTo("expired");
  }

  @Test
  void anotherTenantsVerificationIsNotFoundAndSpendsNothing() {
    String id = verification("482913", 5, "user-1");
    String otherTenant = tenant + "-x";

    RedisCheckStore.Result result =
        store.check(otherTenant, id, MAC.mac(otherTenant, id, "482913"), T0, requestId());

    assertThat(result.outcome()).isEqualTo("not_found");
    assertThat(result.account()).isNull();
    assertThat(hash(id)).containsEntry(Field.ATTEMPTS, "0").containsEntry(Field.STATUS, "pending");
    assertThat(store.ownerOf(otherTenant, id, T0)).isEqualTo(RedisCheckStore.Owner.NONE);
    assertThat(store.ownerOf(tenant, id, T0).account()).isEqualTo("user-1");
  }

  @Test
  void anUnknownVerificationIsNotFound() {
    String id = "VE" + hex(16);

    assertThat(check(id, "482913", T0).outcome()).isEqualTo("not_found");
    assertThat(redis.exists(RedisKeys.verification(id))).isFalse();
    assertThat(store.ownerOf(tenant, id, T0)).isEqualTo(RedisCheckStore.Owner.NONE);
  }

  @Test
  void aVoidedVerificationIsNotPendingAsCanceled() {
    String id = verification("482913", 5, null);
    redis.hset(RedisKeys.verification(id), Field.STATUS, "canceled");
    redis.hdel(RedisKeys.verification(id), Field.MAC);

    RedisCheckStore.Result result = check(id, "482913", T0);

    assertThat(result.outcome()).isEqualTo("not_pending");
    assertThat(result.status()).isEqualTo("canceled");
  }

  @Test
  void aRedeliveredRequestGetsItsFirstAnswerAndSpendsNothing() {
    String id = verification("482913", 5, "user-1");
    String requestId = requestId();
    String wrong = MAC.mac(tenant, id, "000000");

    RedisCheckStore.Result first = store.check(tenant, id, wrong, T0, requestId);
    RedisCheckStore.Result again = store.check(tenant, id, wrong, T0.plusSeconds(1), requestId);

    assertThat(first.outcome()).isEqualTo("denied");
    assertThat(first.spent()).isTrue();
    assertThat(again.outcome()).isEqualTo("denied");
    assertThat(again.attemptsLeft()).isEqualTo(first.attemptsLeft());
    assertThat(again.account()).isEqualTo("user-1");
    assertThat(again.spent()).isFalse();
    assertThat(hash(id)).containsEntry(Field.ATTEMPTS, "1");
  }

  @Test
  void checksOfADecidedVerificationAreNotRememberedSoTheHashCannotGrow() {
    String id = verification("482913", 5, null);
    check(id, "482913", T0.plusSeconds(1));
    int fields = hash(id).size();
    for (int i = 0; i < 20; i++) {
      assertThat(check(id, "482913", T0.plusSeconds(2)).outcome()).isEqualTo("not_pending");
    }
    assertThat(hash(id)).hasSize(fields);
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void hundredParallelChecksWithTheRightCodeApproveExactlyOnce() throws Exception {
    String id = verification("482913", 5, null);
    String right = MAC.mac(tenant, id, "482913");

    List<RedisCheckStore.Result> results = inParallel(100, i -> store.check(tenant, id, right, T0, requestId()));

    Map<String, Long> outcomes = count(results);
    assertThat(outcomes).containsEntry("approved", 1L).containsEntry("not_pending", 99L).hasSize(2);
  }

  @Test
  void parallelGuessesCannotExceedTheAttemptLimit() throws Exception {
    String id = verification("482913", 5, null);

    List<RedisCheckStore.Result> results =
        inParallel(50, i -> store.check(tenant, id, MAC.mac(tenant, id, String.format("%06d", i)), T0, requestId()));

    Map<String, Long> outcomes = count(results);
    assertThat(outcomes).containsEntry("denied", 4L).containsEntry("locked", 46L).hasSize(2);
    assertThat(results.stream().filter(r -> r.outcome().equals("denied")).map(RedisCheckStore.Result::attemptsLeft))
        .containsExactlyInAnyOrder(4, 3, 2, 1);
    // Exactly five guesses were evaluated: the other 45 found the verification already locked.
    assertThat(hash(id)).containsEntry(Field.ATTEMPTS, "5").containsEntry(Field.STATUS, "locked");
  }

  // ---------------------------------------------------------------- account lockout

  @Test
  void theAccountLockEngagesAtTheThresholdAndDoublesUpToTheMaximum() {
    Tenant t = tenant(new Tenant.Lockout(3, Duration.ofMinutes(1), Duration.ofMinutes(10)));
    String account = "user-" + hex(4);

    assertThat(store.recordFailure(t, account, T0)).isZero();
    assertThat(store.recordFailure(t, account, T0)).isZero();
    assertThat(store.lockedFor(t.id(), account, T0)).isZero();

    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(1));
    assertThat(store.lockedFor(t.id(), account, T0)).isEqualTo(Duration.ofMinutes(1));
    assertThat(store.lockedFor(t.id(), account, T0.plusSeconds(45))).isEqualTo(Duration.ofSeconds(15));
    assertThat(store.lockedFor(t.id(), account, T0.plusSeconds(60))).isZero();

    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(2));
    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(4));
    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(8));
    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(10));
    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(10));
    assertThat(store.lockedFor(t.id(), account, T0)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aLongRunOfFailuresStaysAtTheMaximum() {
    Tenant t = tenant(new Tenant.Lockout(1, Duration.ofSeconds(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);
    Duration last = Duration.ZERO;

    for (int i = 0; i < 60; i++) {
      last = store.recordFailure(t, account, T0);
    }

    assertThat(last).isEqualTo(Duration.ofHours(1));
    assertThat(store.lockedFor(t.id(), account, T0)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theLockIsMeasuredFromTheLastFailure() {
    Tenant t = tenant(new Tenant.Lockout(2, Duration.ofMinutes(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);
    store.recordFailure(t, account, T0);

    assertThat(store.recordFailure(t, account, T0.plusSeconds(30))).isEqualTo(Duration.ofMinutes(1));

    assertThat(store.lockedFor(t.id(), account, T0.plusSeconds(60))).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aReservedFailureCountsUntilRefundedAndARefundUndoesTheLockItStarted() {
    Tenant t = tenant(new Tenant.Lockout(2, Duration.ofMinutes(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);
    store.recordFailure(t, account, T0);

    RedisCheckStore.Reservation second = store.reserveFailure(t, account, T0);
    assertThat(second.refused()).isFalse();
    assertThat(second.lockIfFailed()).as("the reservation reaches the threshold").isEqualTo(Duration.ofMinutes(1));
    assertThat(store.lockedFor(t.id(), account, T0)).as("counted before the attempt").isEqualTo(Duration.ofMinutes(1));
    assertThat(store.reserveFailure(t, account, T0).refused()).as("a concurrent attempt meets the lock").isTrue();

    store.refundFailure(t, account, second);

    assertThat(store.lockedFor(t.id(), account, T0)).as("the attempt spent nothing: back below the threshold").isZero();
    assertThat(store.recordFailure(t, account, T0)).as("one failure was left").isEqualTo(Duration.ofMinutes(1));

    // At or above the threshold a refund puts back the lock the reservation replaced (here one that had
    // run out), so an attempt that counted for nothing never leaves the account locked longer.
    RedisCheckStore.Reservation later = store.reserveFailure(t, account, T0.plusSeconds(61));
    assertThat(later.lockIfFailed()).isEqualTo(Duration.ofMinutes(2));
    store.refundFailure(t, account, later);
    assertThat(store.lockedFor(t.id(), account, T0.plusSeconds(61))).isZero();
    assertThat(store.recordFailure(t, account, T0.plusSeconds(62))).as("two failures still counted").isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aResetStartsTheCountAgain() {
    Tenant t = tenant(new Tenant.Lockout(2, Duration.ofMinutes(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);
    store.recordFailure(t, account, T0);
    store.recordFailure(t, account, T0);

    store.resetFailures(t.id(), account);

    assertThat(store.lockedFor(t.id(), account, T0)).isZero();
    assertThat(store.recordFailure(t, account, T0)).isZero();
    assertThat(store.recordFailure(t, account, T0)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void locksAreKeptPerTenantAndAccount() {
    Tenant t = tenant(new Tenant.Lockout(1, Duration.ofMinutes(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);

    store.recordFailure(t, account, T0);

    assertThat(store.lockedFor(t.id(), account, T0)).isEqualTo(Duration.ofMinutes(1));
    assertThat(store.lockedFor(t.id(), account + "-other", T0)).isZero();
    assertThat(store.lockedFor(t.id() + "-other", account, T0)).isZero();
  }

  @Test
  void theLockKeyOutlivesTheLongestDelay() {
    Tenant t = tenant(new Tenant.Lockout(1, Duration.ofMinutes(1), Duration.ofHours(1)));
    String account = "user-" + hex(4);

    store.recordFailure(t, account, T0);

    // Keyed with the code MAC key, not a plain hash: an account name cannot be recovered by guessing.
    assertThat(redis.exists(RedisKeys.accountLock(t.id(), TenantDirectory.sha256(account)))).isFalse();
    long ttl = redis.pttl(RedisKeys.accountLock(t.id(), MAC.mac(t.id(), "account", account)));
    assertThat(ttl).isGreaterThan(Duration.ofHours(1).toMillis()).isLessThanOrEqualTo(Duration.ofHours(25).toMillis());
  }

  // ---------------------------------------------------------------- helpers

  /** Writes a pending verification as the issuer's RedisChallengeStore.create does; returns its id. */
  private String verification(String code, int maxAttempts, String account) {
    String id = "VE" + hex(16);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(Field.TENANT, tenant);
    fields.put(Field.CHANNEL, "sms");
    fields.put(Field.TO_MASKED, "+141******71");
    if (account != null) {
      fields.put(Field.ACCOUNT, account);
    }
    fields.put(Field.MAC, MAC.mac(tenant, id, code));
    fields.put(Field.STATUS, "pending");
    fields.put(Field.CREATED, Long.toString(T0.toEpochMilli()));
    fields.put(Field.EXPIRES, Long.toString(T0.plus(TTL).toEpochMilli()));
    fields.put(Field.ATTEMPTS, "0");
    fields.put(Field.MAX_ATTEMPTS, Integer.toString(maxAttempts));
    fields.put(Field.DELIVERY, "queued");
    redis.hset(RedisKeys.verification(id), fields);
    redis.pexpire(RedisKeys.verification(id), Duration.ofMinutes(10).toMillis());
    return id;
  }

  private RedisCheckStore.Result check(String id, String code, Instant now) {
    return store.check(tenant, id, MAC.mac(tenant, id, code), now, requestId());
  }

  private Map<String, String> hash(String id) {
    return redis.hgetAll(RedisKeys.verification(id));
  }

  private Tenant tenant(Tenant.Lockout lockout) {
    return new Tenant(
        tenant, "Test", TenantDirectory.sha256(tenant), 6, TTL, 5, "{code}", null, "US", Tenant.SendLimits.DEFAULTS,
        lockout);
  }

  /** Runs n calls on virtual threads released together, and returns their results. */
  private static <T> List<T> inParallel(int n, Function<Integer, T> call) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(
            executor.submit(
                () -> {
                  start.await();
                  return call.apply(index);
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(20, TimeUnit.SECONDS));
      }
      return results;
    }
  }

  private static Map<String, Long> count(List<RedisCheckStore.Result> results) {
    return results.stream().collect(Collectors.groupingBy(RedisCheckStore.Result::outcome, Collectors.counting()));
  }

  private static String requestId() {
    return UUID.randomUUID().toString();
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
