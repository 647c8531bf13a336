package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.CodeMac;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** answer.lua on a real Redis: the first valid answer decides, deny, number matching, replays, and what it refuses. */
class RedisAnswerTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final CodeMac MAC = new CodeMac("verifier test key, thirty-two bytes or more".getBytes(StandardCharsets.UTF_8));
  private static final RedisCheckStore.Answerer PHONE = new RedisCheckStore.Answerer("DV" + "1".repeat(32), "iPhone", "Alice");
  private static final RedisCheckStore.Answerer TABLET = new RedisCheckStore.Answerer("DV" + "2".repeat(32), "Pixel", "Bob");
  static UnifiedJedis redis;
  private RedisCheckStore store;
  private String tenant;

  @BeforeAll
  static void connect() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 32)
        .connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @BeforeEach
  void freshTenant() {
    store = new RedisCheckStore(redis, MAC);
    tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A push verification as the issuer writes it. */
  private String push(String mode, Integer number, int maxAttempts) {
    String id = "VE" + UUID.randomUUID().toString().replace("-", "");
    Map<String, String> f = new LinkedHashMap<>();
    f.put(Field.TENANT, tenant);
    f.put(Field.CHANNEL, "push");
    f.put(Field.ACCOUNT, "team");
    f.put(Field.MODE, mode);
    if (number != null) {
      f.put(Field.NUMBER, number.toString());
    }
    f.put(Field.STATUS, "pending");
    f.put(Field.CREATED, Long.toString(T0.toEpochMilli()));
    f.put(Field.EXPIRES, Long.toString(T0.plus(Duration.ofMinutes(5)).toEpochMilli()));
    f.put(Field.ATTEMPTS, "0");
    f.put(Field.MAX_ATTEMPTS, Integer.toString(maxAttempts));
    f.put(Field.DELIVERY, "sent");
    redis.hset(RedisKeys.verification(id), f);
    redis.pexpire(RedisKeys.verification(id), Duration.ofMinutes(10).toMillis());
    return id;
  }

  private RedisCheckStore.Result answer(String id, String decision, Integer number, RedisCheckStore.Answerer device) {
    return store.answer(tenant, id, UUID.randomUUID().toString(), decision, number, device, T0.plusSeconds(5));
  }

  @Test
  void theFirstApprovalDecidesAndRecordsWhoAnswered() {
    String id = push("approve", null, 5);
    RedisCheckStore.Result first = answer(id, "approve", null, PHONE);
    RedisCheckStore.Result second = answer(id, "approve", null, TABLET);
    assertThat(first.outcome()).isEqualTo("approved");
    assertThat(first.spent()).isTrue();
    assertThat(first.account()).isEqualTo("team");
    assertThat(second.outcome()).isEqualTo("not_pending");
    assertThat(second.status()).isEqualTo("approved");
    assertThat(redis.hgetAll(RedisKeys.verification(id))).containsEntry(Field.STATUS, "approved")
        .containsEntry(Field.ANSWER_DEVICE, PHONE.deviceId()).containsEntry(Field.ANSWER_LABEL, "Alice")
        .containsEntry(Field.ANSWER_NAME, "iPhone").containsEntry(Field.ANSWER_DECISION, "approve")
        .containsEntry(Field.ANSWER_AT, Long.toString(T0.plusSeconds(5).toEpochMilli()))
        .containsEntry(Field.APPROVED_AT, Long.toString(T0.plusSeconds(5).toEpochMilli()));
  }

  @Test
  void aDenyDecidesForGoodAndACodeCheckAfterwardsIsNotPendingEither() {
    String id = push("approve", 42, 5);
    assertThat(answer(id, "deny", null, TABLET).outcome()).as("deny needs no number").isEqualTo("declined");
    assertThat(answer(id, "approve", 42, PHONE).outcome()).isEqualTo("not_pending");
    assertThat(redis.hget(RedisKeys.verification(id), Field.STATUS)).isEqualTo("denied");
    assertThat(redis.hget(RedisKeys.verification(id), Field.ANSWER_DEVICE)).isEqualTo(TABLET.deviceId());
    RedisCheckStore.Result check = store.check(tenant, id, MAC.mac(tenant, id, "123456"), T0, UUID.randomUUID().toString());
    assertThat(check.outcome()).isEqualTo("not_pending");
    assertThat(check.status()).isEqualTo("denied");
  }

  @Test
  void withNumberMatchingOnlyTheNumberApprovesAndWrongOnesUseAttempts() {
    String id = push("approve", 37, 3);
    RedisCheckStore.Result wrong = answer(id, "approve", 73, PHONE);
    RedisCheckStore.Result missing = answer(id, "approve", null, PHONE);
    assertThat(wrong.outcome()).isEqualTo("denied");
    assertThat(wrong.attemptsLeft()).isEqualTo(2);
    assertThat(wrong.spent()).isTrue();
    assertThat(missing.outcome()).isEqualTo("denied");
    assertThat(missing.attemptsLeft()).isEqualTo(1);
    assertThat(answer(id, "approve", 37, PHONE).outcome()).isEqualTo("approved");

    String locked = push("approve", 37, 2);
    answer(locked, "approve", 10, PHONE);
    assertThat(answer(locked, "approve", 11, PHONE).outcome()).isEqualTo("locked");
    assertThat(answer(locked, "approve", 37, PHONE).outcome()).as("locked stays locked").isEqualTo("locked");
  }

  @Test
  void aRedeliveredAnswerGetsItsFirstOutcomeAndSpendsNothing() {
    String id = push("approve", 37, 5);
    String request = UUID.randomUUID().toString();
    RedisCheckStore.Result first = store.answer(tenant, id, request, "approve", 50, PHONE, T0);
    RedisCheckStore.Result again = store.answer(tenant, id, request, "approve", 50, PHONE, T0);
    assertThat(first.outcome()).isEqualTo("denied");
    assertThat(again.outcome()).isEqualTo("denied");
    assertThat(again.attemptsLeft()).isEqualTo(first.attemptsLeft());
    assertThat(again.spent()).isFalse();
    assertThat(redis.hget(RedisKeys.verification(id), Field.ATTEMPTS)).isEqualTo("1");
  }

  @Test
  void theSameWrongNumberFromTheSameDeviceAgainUsesNoSecondAttempt() {
    // A phone retrying its request, or anyone replaying a signed answer they saw (the route needs no
    // API key): the same signed text must not burn the verification's attempts or count failures.
    String id = push("approve", 37, 3);
    RedisCheckStore.Result first = answer(id, "approve", 73, PHONE);
    RedisCheckStore.Result replayed = answer(id, "approve", 73, PHONE);
    assertThat(first.outcome()).isEqualTo("denied");
    assertThat(first.spent()).isTrue();
    assertThat(replayed.outcome()).isEqualTo("denied");
    assertThat(replayed.attemptsLeft()).isEqualTo(2);
    assertThat(replayed.spent()).as("spent, so the account would count a failure").isFalse();
    assertThat(answer(id, "approve", null, PHONE).spent()).as("without the number it is another answer").isTrue();
    assertThat(answer(id, "approve", 73, TABLET).attemptsLeft()).as("another device's is another answer").isZero();
    assertThat(redis.hget(RedisKeys.verification(id), Field.STATUS)).isEqualTo("locked");
    assertThat(answer(id, "approve", 73, PHONE).outcome()).isEqualTo("locked");
  }

  @Test
  void twentyDevicesAnsweringAtOnceGiveExactlyOneDecision() throws Exception {
    String id = push("approve", null, 5);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<RedisCheckStore.Result>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
      for (int i = 0; i < 20; i++) {
        String decision = i % 2 == 0 ? "approve" : "deny";
        results.add(pool.submit(() -> {
          start.await();
          return answer(id, decision, null, PHONE);
        }));
      }
      start.countDown();
    }
    List<String> outcomes = new ArrayList<>();
    for (Future<RedisCheckStore.Result> r : results) {
      outcomes.add(r.get().outcome());
    }
    assertThat(outcomes.stream().filter(o -> o.equals("approved") || o.equals("declined"))).hasSize(1);
    assertThat(outcomes.stream().filter(o -> o.equals("not_pending"))).hasSize(19);
  }

  @Test
  void refusesWhatIsNotAPendingApproveModePushOfTheTenant() {
    String code = push("code", null, 5);
    assertThat(answer(code, "approve", null, PHONE).outcome()).isEqualTo("refused");
    assertThat(redis.hget(RedisKeys.verification(code), Field.STATUS)).isEqualTo("pending");
    String id = push("approve", null, 5);
    assertThat(store.answer("someone-else", id, UUID.randomUUID().toString(), "approve", null, PHONE, T0).outcome())
        .isEqualTo("not_found");
    assertThat(store.answer(tenant, "VE" + "9".repeat(32), UUID.randomUUID().toString(), "approve", null, PHONE, T0)
        .outcome()).isEqualTo("not_found");
    assertThat(store.answer(tenant, id, UUID.randomUUID().toString(), "approve", null, PHONE, T0.plus(Duration.ofMinutes(6)))
        .outcome()).isEqualTo("expired");
    assertThat(answer(id, "approve", null, PHONE).outcome()).as("expired stays expired").isEqualTo("expired");
    assertThat(redis.hgetAll(RedisKeys.verification(id))).doesNotContainKey(Field.ANSWER_DEVICE);
  }

  @Test
  void anApprovalResetsTheAccountsFailuresAndItsFatigueGuard() {
    String account = "team";
    String fatigue = RedisKeys.pushUnanswered(tenant, io.otpflow.common.accounts.AccountRegistryReader.accountMac(MAC, tenant,
        account));
    redis.zadd(fatigue, 1, "VE1");
    store.recordFailure(new io.otpflow.common.Tenant(tenant, "T", "0".repeat(64), 6, Duration.ofMinutes(5), 5, "{code}", null,
        "US", io.otpflow.common.Tenant.SendLimits.DEFAULTS, io.otpflow.common.Tenant.Lockout.DEFAULTS), account, T0);
    store.resetFailures(tenant, account);
    assertThat(redis.exists(fatigue)).isFalse();
    assertThat(store.lockedFor(tenant, account, T0)).isZero();
  }
}
