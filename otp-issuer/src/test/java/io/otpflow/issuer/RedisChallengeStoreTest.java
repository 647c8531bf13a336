package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import io.otpflow.issuer.RedisChallengeStore.Admission;
import io.otpflow.issuer.RedisChallengeStore.IdempotencyClaim;
import io.otpflow.issuer.RedisChallengeStore.Limit;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.UnifiedJedis;

/**
 * The issuer's Lua scripts against a real Redis. Time is passed in, never read: every instant here
 * is fixed, so windows and retry-after values are exact. Each test works under its own tenant.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisChallengeStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration RETENTION = Duration.ofHours(1);

  static UnifiedJedis redis;
  private RedisChallengeStore store;
  private String tenant;

  @BeforeAll
  static void connect() {
    RedisFixture fixture = RedisFixture.shared();
    redis = new RedisSettings(URI.create(fixture.uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 8).connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @BeforeEach
  void freshTenant() {
    store = new RedisChallengeStore(redis, RETENTION);
    tenant = "t-" + hex(8);
  }

  // ---------------------------------------------------------------- send limits

  @Test
  void aSlidingWindowAdmitsUpToItsLimitThenSaysWhenTheOldestSendLeaves() {
    Limit destination = limit("destination", "dest", 3, Duration.ofMinutes(10));

    assertThat(admit(T0, destination)).isInstanceOf(Admission.Admitted.class);
    assertThat(admit(T0.plusSeconds(60), destination)).isInstanceOf(Admission.Admitted.class);
    assertThat(admit(T0.plusSeconds(120), destination)).isInstanceOf(Admission.Admitted.class);

    assertThat(admit(T0.plusSeconds(180), destination))
        .isEqualTo(new Admission.Refused("destination", Duration.ofMinutes(7)));
    assertThat(admit(T0.plus(Duration.ofMinutes(10)).minusMillis(1), destination))
        .isEqualTo(new Admission.Refused("destination", Duration.ofMillis(1)));
    // The first send is exactly one window old: it no longer counts.
    assertThat(admit(T0.plus(Duration.ofMinutes(10)), destination)).isInstanceOf(Admission.Admitted.class);
    // Full again (sends at +1m, +2m, +10m): the next one fits when the +1m send leaves, at +11m.
    assertThat(admit(T0.plus(Duration.ofMinutes(10)).plusSeconds(1), destination))
        .isEqualTo(new Admission.Refused("destination", Duration.ofSeconds(59)));
    assertThat(redis.zcard(destination.key())).isEqualTo(3);
  }

  @Test
  void refusedSendsDoNotExtendTheWait() {
    Limit destination = limit("destination", "dest", 2, Duration.ofMinutes(10));
    admit(T0, destination);
    admit(T0.plusSeconds(1), destination);

    for (int i = 1; i <= 20; i++) {
      assertThat(admit(T0.plusSeconds(10L * i), destination)).isInstanceOf(Admission.Refused.class);
    }

    assertThat(admit(T0.plus(Duration.ofMinutes(10)), destination)).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void theMinimumIntervalAllowsOneSendPerInterval() {
    Limit interval = limit("interval", "gap", 1, Duration.ofSeconds(30));

    assertThat(admit(T0, interval)).isInstanceOf(Admission.Admitted.class);
    assertThat(admit(T0.plusSeconds(10), interval))
        .isEqualTo(new Admission.Refused("interval", Duration.ofSeconds(20)));
    assertThat(admit(T0.plusMillis(29_999), interval))
        .isEqualTo(new Admission.Refused("interval", Duration.ofMillis(1)));
    assertThat(admit(T0.plusSeconds(30), interval)).isInstanceOf(Admission.Admitted.class);
    assertThat(admit(T0.plusSeconds(31), interval))
        .isEqualTo(new Admission.Refused("interval", Duration.ofSeconds(29)));
  }

  @Test
  void whenSeveralLimitsAreHitTheLongestWaitIsReported() {
    Limit interval = limit("interval", "gap", 1, Duration.ofSeconds(30));
    Limit destination = limit("destination", "dest", 2, Duration.ofMinutes(10));
    admit(T0, interval, destination);
    admit(T0.plusSeconds(30), interval, destination);

    // Interval: free in 20 s; destination: free when the T0 send leaves, in 9 min 20 s.
    assertThat(admit(T0.plusSeconds(40), interval, destination))
        .isEqualTo(new Admission.Refused("destination", Duration.ofSeconds(560)));
    // Only the destination limit is hit here.
    assertThat(admit(T0.plusSeconds(60), interval, destination))
        .isEqualTo(new Admission.Refused("destination", Duration.ofSeconds(540)));
  }

  @Test
  void aRefusedSendIsRecordedInNoWindow() {
    Limit interval = limit("interval", "gap", 1, Duration.ofSeconds(30));
    Limit destination = limit("destination", "dest", 5, Duration.ofMinutes(10));
    Limit account = limit("account", "acct", 20, Duration.ofHours(1));
    Limit all = limit("tenant", "all", 100, Duration.ofMinutes(1));
    String first = verificationId();
    String refused = verificationId();

    assertThat(store.admit(List.of(interval, destination, account, all), first, T0))
        .isInstanceOf(Admission.Admitted.class);
    assertThat(store.admit(List.of(interval, destination, account, all), refused, T0.plusSeconds(5)))
        .isEqualTo(new Admission.Refused("interval", Duration.ofSeconds(25)));

    for (Limit l : List.of(interval, destination, account, all)) {
      assertThat(redis.zrange(l.key(), 0, -1)).as(l.name()).containsExactly(first);
    }
  }

  @Test
  void aLimitHitLaterInTheListAlsoRecordsNothingInTheEarlierOnes() {
    Limit destination = limit("destination", "dest", 5, Duration.ofMinutes(10));
    Limit all = limit("tenant", "all", 1, Duration.ofMinutes(1));
    String first = verificationId();
    store.admit(List.of(all), first, T0);

    assertThat(store.admit(List.of(destination, all), verificationId(), T0.plusSeconds(1)))
        .isEqualTo(new Admission.Refused("tenant", Duration.ofSeconds(59)));

    assertThat(redis.exists(destination.key())).isFalse();
    assertThat(redis.zrange(all.key(), 0, -1)).containsExactly(first);
  }

  @Test
  void aWindowKeyExpiresOneWindowAfterItsLastSend() {
    Limit destination = limit("destination", "dest", 5, Duration.ofMinutes(10));

    admit(T0, destination);

    assertThat(redis.pttl(destination.key())).isBetween(1L, Duration.ofMinutes(10).toMillis());
  }

  // ---------------------------------------------------------------- verifications and voiding

  @Test
  void storesAVerificationThatReadsBack() {
    StoredVerification v = pending(verificationId(), "user-42");

    create(v, mac('a'), destinationKey("d1"));

    assertThat(store.find(v.id())).contains(v);
    assertThat(redis.hget(RedisKeys.verification(v.id()), Field.MAC)).isEqualTo(mac('a'));
    assertThat(redis.pttl(RedisKeys.verification(v.id())))
        .isBetween(RETENTION.toMillis(), Duration.ofMinutes(5).plus(RETENTION).toMillis());
    assertThat(redis.get(destinationKey("d1"))).isEqualTo(v.id());
    assertThat(redis.pttl(destinationKey("d1"))).isBetween(1L, Duration.ofMinutes(5).toMillis());
    assertThat(store.find(verificationId())).isEmpty();
  }

  @Test
  void aNewVerificationForTheSameDestinationVoidsTheOlderOne() {
    StoredVerification older = pending(verificationId(), null);
    StoredVerification newer = pending(verificationId(), null);
    StoredVerification elsewhere = pending(verificationId(), null);
    create(older, mac('a'), destinationKey("d1"));
    create(elsewhere, mac('c'), destinationKey("d2"));

    create(newer, mac('b'), destinationKey("d1"));

    assertThat(store.find(older.id()).orElseThrow().status()).isEqualTo("canceled");
    assertThat(redis.hexists(RedisKeys.verification(older.id()), Field.MAC)).as("the old code cannot match any more").isFalse();
    assertThat(store.find(newer.id()).orElseThrow().status()).isEqualTo("pending");
    assertThat(redis.hget(RedisKeys.verification(newer.id()), Field.MAC)).isEqualTo(mac('b'));
    assertThat(store.find(elsewhere.id()).orElseThrow().status()).isEqualTo("pending");
    assertThat(redis.get(destinationKey("d1"))).isEqualTo(newer.id());
  }

  @Test
  void voidingLeavesAFinishedVerificationAsItWas() {
    StoredVerification older = pending(verificationId(), null);
    create(older, mac('a'), destinationKey("d1"));
    redis.hset(RedisKeys.verification(older.id()), Field.STATUS, "approved");

    create(pending(verificationId(), null), mac('b'), destinationKey("d1"));

    assertThat(store.find(older.id()).orElseThrow().status()).isEqualTo("approved");
  }

  @Test
  void storingTheSameVerificationAgainDoesNotVoidIt() {
    StoredVerification v = pending(verificationId(), null);
    create(v, mac('a'), destinationKey("d1"));

    create(v, mac('a'), destinationKey("d1"));

    assertThat(store.find(v.id()).orElseThrow().status()).isEqualTo("pending");
    assertThat(redis.hget(RedisKeys.verification(v.id()), Field.MAC)).isEqualTo(mac('a'));
  }

  @Test
  void replacingTheMacAndMarkingDispatchedAreStored() {
    StoredVerification v = pending(verificationId(), null);
    create(v, mac('a'), destinationKey("d1"));

    store.replaceMac(v.id(), mac('b'));
    store.markDispatched(v.id());

    assertThat(redis.hget(RedisKeys.verification(v.id()), Field.MAC)).isEqualTo(mac('b'));
    assertThat(store.find(v.id()).orElseThrow().dispatched()).isTrue();
  }

  @Test
  void writesToAnExpiredVerificationCreateNoStrayHash() {
    String id = verificationId();

    store.replaceMac(id, mac('b'));
    store.markDispatched(id);

    assertThat(redis.exists(RedisKeys.verification(id))).isFalse();
  }

  /** What the issuer does for a send: store the verification, then (once dispatched) make it current. */
  private void create(StoredVerification v, String mac, String destinationKey) {
    store.create(v, mac);
    store.makeCurrent(v, destinationKey);
  }

  // ---------------------------------------------------------------- delivery state

  @ParameterizedTest(name = "{0} then {1}: moved = {2}, state = {3}")
  @CsvSource({
    "queued, sent, true, sent",
    "queued, delivered, true, delivered",
    "queued, failed, true, failed",
    "sent, delivered, true, delivered",
    "sent, undelivered, true, undelivered",
    "sent, failed, true, failed",
    "sent, sent, false, sent",
    "sent, queued, false, sent",
    "delivered, sent, false, delivered",
    "delivered, undelivered, false, delivered",
    "delivered, failed, false, delivered",
    "failed, delivered, false, failed",
    "undelivered, sent, false, undelivered",
    "queued, read, false, queued"
  })
  void deliveryStateOnlyMovesForward(String current, String report, boolean moved, String after) {
    StoredVerification v = pending(verificationId(), null);
    create(v, mac('a'), destinationKey("d1"));
    redis.hset(RedisKeys.verification(v.id()), Field.DELIVERY, current);

    assertThat(store.applyDelivery(v.id(), report)).isEqualTo(moved);

    assertThat(store.find(v.id()).orElseThrow().delivery()).isEqualTo(after);
  }

  @Test
  void aLateSentAfterDeliveredIsIgnored() {
    StoredVerification v = pending(verificationId(), null);
    create(v, mac('a'), destinationKey("d1"));

    assertThat(store.applyDelivery(v.id(), "delivered")).isTrue();
    assertThat(store.applyDelivery(v.id(), "sent")).isFalse();

    assertThat(store.find(v.id()).orElseThrow().delivery()).isEqualTo("delivered");
  }

  @Test
  void aReportForAnUnknownVerificationCreatesNothing() {
    String id = verificationId();

    assertThat(store.applyDelivery(id, "delivered")).isFalse();

    assertThat(redis.exists(RedisKeys.verification(id))).isFalse();
  }

  // ---------------------------------------------------------------- idempotency keys

  @Test
  void anIdempotencyKeyIsClaimedOnceThenHeld() {
    String key = RedisKeys.idempotency(tenant, "k1");
    String first = verificationId();

    assertThat(store.claimIdempotency(key, first, "fp-1", Duration.ofSeconds(30)))
        .isInstanceOf(IdempotencyClaim.Claimed.class);
    assertThat(store.claimIdempotency(key, verificationId(), "fp-2", Duration.ofSeconds(30)))
        .isEqualTo(new IdempotencyClaim.Held(first, "fp-1"));
    assertThat(store.claimIdempotency(key, verificationId(), "fp-1", Duration.ofSeconds(30)))
        .isEqualTo(new IdempotencyClaim.Held(first, "fp-1"));
    assertThat(redis.pttl(key)).isBetween(1L, 30_000L);
  }

  @Test
  void aKeptClaimLivesAsLongAsItsVerificationAndAReleasedOneCanBeClaimedAgain() {
    String key = RedisKeys.idempotency(tenant, "k1");
    StoredVerification v = pending(verificationId(), null);
    store.claimIdempotency(key, v.id(), "fp-1", Duration.ofSeconds(30));
    store.create(v, mac('a'));

    store.keepIdempotency(key, v);
    assertThat(redis.pttl(key)).isGreaterThan(Duration.ofSeconds(30).toMillis())
        .isCloseTo(redis.pttl(RedisKeys.verification(v.id())), org.assertj.core.data.Offset.offset(1000L));

    store.releaseIdempotency(key);
    String second = verificationId();
    assertThat(store.claimIdempotency(key, second, "fp-2", Duration.ofSeconds(30)))
        .isInstanceOf(IdempotencyClaim.Claimed.class);
    assertThat(store.claimIdempotency(key, verificationId(), "fp-3", Duration.ofSeconds(30)))
        .isEqualTo(new IdempotencyClaim.Held(second, "fp-2"));
  }

  @Test
  void idempotencyKeysOfTwoTenantsAreIndependent() {
    String mine = RedisKeys.idempotency(tenant, "same");
    String theirs = RedisKeys.idempotency(tenant + "-b", "same");

    assertThat(store.claimIdempotency(mine, verificationId(), "fp", Duration.ofSeconds(30)))
        .isInstanceOf(IdempotencyClaim.Claimed.class);
    assertThat(store.claimIdempotency(theirs, verificationId(), "fp", Duration.ofSeconds(30)))
        .isInstanceOf(IdempotencyClaim.Claimed.class);
  }

  // ---------------------------------------------------------------- helpers

  private Admission admit(Instant now, Limit... limits) {
    return store.admit(List.of(limits), verificationId(), now);
  }

  private Limit limit(String name, String kind, int max, Duration window) {
    return new Limit(name, RedisKeys.sendLimit(tenant, kind, "subject"), max, window);
  }

  private StoredVerification pending(String id, String account) {
    return new StoredVerification(
        id, tenant, "sms", "+141******71", account, "pending", T0, T0.plus(Duration.ofMinutes(5)), 0, 5, "queued",
        false);
  }

  private String destinationKey(String destination) {
    return RedisKeys.destination(tenant, destination);
  }

  private static String mac(char fill) {
    return String.valueOf(fill).repeat(64);
  }

  private static String verificationId() {
    return "VE" + hex(16);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
