package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static io.otpflow.launcher.TestPlatform.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.eatthepath.pushy.apns.server.RejectionReason;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.Topics;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.testing.FakeApns;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.otpflow.testing.TopicRecord;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * Push end to end, as users meet it: a shared account with several phones, APNs through pushy's
 * MockApnsServer over TLS and FCM through its local fake, the real gateway, issuer, verifier and
 * push dispatcher on a real Kafka broker and Redis. Phones answer as the app does: signed with their
 * own key, without an API key.
 */
class PushFlowTest {
  static TestPlatform p;
  static RedisClient redis;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
    redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
  }

  @AfterAll
  static void stop() {
    redis.close();
    p.close();
  }

  static String account(String name) {
    return name + "-" + System.nanoTime();
  }

  /** Starts a push verification; returns the created view. */
  static JsonObject push(String apiKey, String account, String json) {
    TestPlatform.Reply r = p.post("/v1/verifications", apiKey,
        new JsonObject(json).put("channel", "push").put("account", account).encode());
    assertThat(r.status()).as("push: %s", r.body()).isEqualTo(201);
    return r.body();
  }

  static JsonObject status(String id) {
    return p.get("/v1/verifications/" + id, ACME_KEY).body();
  }

  static List<JsonObject> verdicts(String id, int atLeast) {
    List<JsonObject> found = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      found.clear();
      new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.VERDICTS).stream()
          .filter(r -> id.equals(r.key())).map(r -> new JsonObject(r.value())).forEach(found::add);
      return found.size() >= atLeast;
    });
    return found;
  }

  // ---------------------------------------------------------------- a shared account, one dead token

  @Test
  void threeDevicesOneDeadToken_theLiveOnesGetTheCodeAtOnceTheDeadOneIsPrunedAndTheCodeApproves() {
    String account = account("team");
    PhoneApp alice = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone 15", "Alice");
    PhoneApp bob = PhoneApp.iphone(p).register(ACME_KEY, account, "old iPad", "Bob");
    PhoneApp carol = PhoneApp.android(p).register(ACME_KEY, account, "Pixel 8", "Carol");
    // Bob's app is gone from his iPad; APNs first answers 429 twice (a slow, dying device), then 410.
    p.apns.markUnregistered(bob.token);
    p.apns.failNext(bob.token, 2, RejectionReason.TOO_MANY_REQUESTS);
    p.clock.advance(Duration.ofSeconds(1)); // time passes between registering and signing in

    JsonObject created = push(ACME_KEY, account, "{\"mode\": \"code\", \"context\": \"Firefox on Linux, Berlin\"}");
    String id = created.getString("id");
    assertThat(created.getString("mode")).isEqualTo("code");
    assertThat(created.getJsonArray("devices")).hasSize(3);
    assertThat(created.containsKey("number")).isFalse();

    PhoneApp.Notification a = alice.awaitPush(id);
    PhoneApp.Notification c = carol.awaitPush(id);
    assertThat(a.code()).matches("[0-9]{6}").isEqualTo(c.code());
    assertThat(a.body()).isEqualTo("Your Acme sign-in code is " + a.code() + ". Requested from Firefox on Linux, Berlin.");
    assertThat(a.title()).isEqualTo("Acme");

    // Bob's push waits on the retry queue, which runs on the platform's clock: let time pass until
    // APNs has had its three tries (429, 429, then 410 Unregistered).
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      p.clock.advance(Duration.ofMillis(500));
      return p.apns.attemptsFor(bob.token).size() >= 3;
    });

    // The dead device is removed from the account, by the system, and an account event says so.
    await().atMost(Duration.ofSeconds(20)).until(() -> p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body()
        .getJsonArray("devices").size() == 2);
    assertThat(p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body().encode()).doesNotContain(bob.deviceId);
    JsonObject removed = TotpFlowTest.accountEvents(account, 4).get(3);
    assertThat(removed.getString("type")).isEqualTo("device_removed");
    assertThat(removed.getString("factor_id")).isEqualTo(bob.deviceId);
    assertThat(removed.getString("actor")).isEqualTo("system");
    assertThat(removed.getString("reason")).isEqualTo("token-dead");
    assertThat(removed.encode()).doesNotContain(bob.token);

    // It held nobody back: both live phones had their push before the dead one's last try.
    List<FakeApns.Attempt> tries = p.apns.attemptsFor(bob.token);
    assertThat(tries).extracting(FakeApns.Attempt::answer)
        .containsExactly("TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "UNREGISTERED");
    Instant lastTry = tries.get(2).at();
    assertThat(p.apns.receivedBy(alice.token).getFirst().receivedAt()).isBefore(lastTry);
    assertThat(p.fcm.messagesTo(carol.token).getFirst().receivedAt()).isBefore(lastTry);

    // Delivered as a whole, and per device: one dead device does not fail the verification.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonObject v = status(id);
      assertThat(v.getString("delivery")).isEqualTo("sent");
      JsonObject dead = v.getJsonArray("devices").stream().map(JsonObject.class::cast)
          .filter(d -> d.getString("device_id").equals(bob.deviceId)).findFirst().orElseThrow();
      assertThat(dead.getString("delivery")).isEqualTo("failed");
      assertThat(dead.getString("reason")).isEqualTo("device-unregistered");
    });
    assertThat(status(id).encode()).doesNotContain(alice.token).doesNotContain(carol.token);

    // Carol types the code from her notification on the sign-in page: approved; both phones' notifications are withdrawn.
    assertThat(p.check(ACME_KEY, id, c.code()).body().getString("status")).isEqualTo("approved");
    assertThat(alice.awaitWithdrawal(id).body()).isEqualTo("This code has been used.");
    carol.awaitWithdrawal(id);
    assertThat(p.check(ACME_KEY, id, c.code()).status()).as("a code is good once").isEqualTo(409);
    assertThat(verdicts(id, 1).getFirst().getString("channel")).isEqualTo("push");
  }

  @Test
  void inCodeModeTheCodeFromAnyDevicesNotificationApproves() {
    String account = account("pair");
    PhoneApp iphone = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Dana");
    PhoneApp pixel = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Eli");
    String first = push(ACME_KEY, account, "{\"mode\": \"code\"}").getString("id");
    String second = push(ACME_KEY, account, "{\"mode\": \"code\"}").getString("id");
    assertThat(p.check(ACME_KEY, first, iphone.awaitPush(first).code()).body().getString("status")).isEqualTo("approved");
    assertThat(p.check(ACME_KEY, second, pixel.awaitPush(second).code()).body().getString("status")).isEqualTo("approved");
    assertThat(pixel.awaitPush(first).code()).isEqualTo(iphone.awaitPush(first).code());
    // A code-mode verification is not answered by a device.
    TestPlatform.Reply answered = iphone.answer(second, "approve", null);
    assertThat(answered.status()).isEqualTo(409);
    assertThat(answered.body().getString("code")).isEqualTo("code-expected");
  }

  // ---------------------------------------------------------------- approve mode

  @Test
  void oneDeviceApprovesTheSecondAnswerIsRefusedTheOtherIsWithdrawnAndTheVerificationSaysWho() {
    String account = account("ops");
    PhoneApp alice = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone 15", "Alice");
    PhoneApp bob = PhoneApp.android(p).register(ACME_KEY, account, "Pixel 8", "Bob");
    String id = push(ACME_KEY, account, "{\"mode\": \"approve\", \"context\": \"Chrome on macOS\"}").getString("id");

    PhoneApp.Notification n = alice.awaitPush(id);
    assertThat(n.mode()).isEqualTo("approve");
    assertThat(n.code()).isNull();
    assertThat(n.body()).isEqualTo("Approve sign-in to Acme from Chrome on macOS?");
    bob.awaitPush(id);
    TestPlatform.Reply check = p.check(ACME_KEY, id, "123456");
    assertThat(check.status()).as("a code does not answer an approve-mode push").isEqualTo(409);
    assertThat(check.body().getString("code")).isEqualTo("answer-expected");

    TestPlatform.Reply approved = alice.answer(id, "approve", null);
    assertThat(approved.status()).as("%s", approved.body()).isEqualTo(200);
    assertThat(approved.body().getString("status")).isEqualTo("approved");
    TestPlatform.Reply late = bob.answer(id, "deny", null);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.body().getString("code")).isEqualTo("verification-not-pending");
    assertThat(late.header("content-type")).isEqualTo("application/problem+json");

    JsonObject v = status(id);
    assertThat(v.getString("status")).isEqualTo("approved");
    JsonObject who = v.getJsonObject("answered_by");
    assertThat(who.getString("device_id")).isEqualTo(alice.deviceId);
    assertThat(who.getString("label")).isEqualTo("Alice");
    assertThat(who.getString("name")).isEqualTo("iPhone 15");
    assertThat(who.getString("decision")).isEqualTo("approve");
    assertThat(who.getString("answered_at")).isNotBlank();

    PhoneApp.Notification withdrawn = bob.awaitWithdrawal(id);
    assertThat(withdrawn.body()).isEqualTo("This sign-in request was answered on another device.");
    assertThat(alice.notificationsFor(id)).as("the device that answered keeps its own").hasSize(1);
    JsonObject verdict = verdicts(id, 1).getFirst();
    assertThat(verdict.getString("outcome")).isEqualTo("approved");
    assertThat(verdict.getString("channel")).isEqualTo("push");
    assertThat(verdict.getString("device_id")).isEqualTo(alice.deviceId);
  }

  @Test
  void twoDevicesAnsweringAtTheSameMomentGiveExactlyOneDecision() throws Exception {
    String account = account("race");
    PhoneApp one = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Fay");
    PhoneApp two = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Gus");
    PhoneApp three = PhoneApp.iphone(p).register(ACME_KEY, account, "iPad", "Hal");
    String id = push(ACME_KEY, account, "{}").getString("id");
    one.awaitPush(id);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<TestPlatform.Reply>> replies = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
      for (PhoneApp phone : List.of(one, two, three, one, two, three)) {
        String decision = phone == two ? "deny" : "approve";
        replies.add(pool.submit(() -> {
          go.await();
          return phone.answer(id, decision, null);
        }));
      }
      go.countDown();
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<TestPlatform.Reply> r : replies) {
      statuses.add(r.get(30, TimeUnit.SECONDS).status());
    }
    assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
    assertThat(statuses).filteredOn(s -> s == 409).hasSize(5);
    String decided = status(id).getString("status");
    assertThat(decided).isIn("approved", "denied");
    assertThat(status(id).getJsonObject("answered_by").getString("decision"))
        .isEqualTo(decided.equals("approved") ? "approve" : "deny");
  }

  @Test
  void aBadSignatureADeviceOfAnotherAccountOrTenantAreRefusedAndDecideAndSpendNothing() {
    String account = account("guarded");
    PhoneApp alice = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Alice");
    PhoneApp mallory = PhoneApp.android(p).register(ACME_KEY, account("elsewhere"), "Pixel", "Mallory");
    PhoneApp eve = PhoneApp.android(p).register(OTHER_KEY, account, "Pixel", "Eve"); // same account name, other tenant
    String id = push(ACME_KEY, account, "{\"mode\": \"approve\"}").getString("id");
    String other = push(ACME_KEY, account, "{\"mode\": \"approve\"}").getString("id");
    alice.awaitPush(id);

    List<TestPlatform.Reply> refused = List.of(
        alice.answer(null, id, "approve", null, PhoneApp.sign(PhoneApp.newKeys(), PhoneApp.signedText(id, "approve", null))),
        alice.answer(null, id, "approve", null, PhoneApp.sign(alice.keys, PhoneApp.signedText(id, "deny", null))),
        alice.answer(null, id, "approve", null, PhoneApp.sign(alice.keys, PhoneApp.signedText(other, "approve", null))),
        mallory.answer(id, "approve", null),
        eve.answer(id, "approve", null));
    assertThat(refused).allSatisfy(r -> {
      assertThat(r.status()).as("%s", r.body()).isEqualTo(403);
      assertThat(r.body().getString("code")).isEqualTo("invalid-signature");
    });
    // With an API key, it must be the verification's tenant's.
    TestPlatform.Reply otherTenant = alice.answer(OTHER_KEY, id, "approve", null,
        PhoneApp.sign(alice.keys, PhoneApp.signedText(id, "approve", null)));
    assertThat(otherTenant.status()).isEqualTo(404);
    assertThat(p.get("/v1/verifications/" + id, OTHER_KEY).status()).as("another tenant cannot read it").isEqualTo(404);
    assertThat(p.check(OTHER_KEY, id, "123456").status()).isEqualTo(404);
    TestPlatform.Reply badKey = alice.answer("not-a-key", id, "approve", null,
        PhoneApp.sign(alice.keys, PhoneApp.signedText(id, "approve", null)));
    assertThat(badKey.status()).as("a key that is sent must be valid").isEqualTo(401);

    JsonObject v = status(id);
    assertThat(v.getString("status")).isEqualTo("pending");
    assertThat(v.getInteger("attempts_left")).as("nothing spent").isEqualTo(5);
    assertThat(redis.hgetAll(RedisKeys.verification(id)).keySet()).as("nothing remembered")
        .noneMatch(f -> f.startsWith("r:")).doesNotContain("ans_dev");

    TestPlatform.Reply keyed = alice.answer(ACME_KEY, id, "approve", null,
        PhoneApp.sign(alice.keys, PhoneApp.signedText(id, "approve", null)));
    assertThat(keyed.status()).as("the device with the tenant's key: %s", keyed.body()).isEqualTo(200);
    assertThat(alice.answer(other, "approve", null).status()).isEqualTo(200);
  }

  @Test
  void aDenyDeniesTheVerificationAndWithdrawsTheOthers() {
    String account = account("denier");
    PhoneApp alice = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Alice");
    PhoneApp bob = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Bob");
    String id = push(ACME_KEY, account, "{\"mode\": \"approve\", \"number_matching\": true}").getString("id");
    bob.awaitPush(id);
    alice.awaitPush(id);
    TestPlatform.Reply denied = bob.answer(id, "deny", null);
    assertThat(denied.status()).as("%s", denied.body()).isEqualTo(200);
    assertThat(denied.body().getString("status")).isEqualTo("denied");
    JsonObject v = status(id);
    assertThat(v.getString("status")).isEqualTo("denied");
    assertThat(v.getJsonObject("answered_by").getString("label")).isEqualTo("Bob");
    assertThat(v.getJsonObject("answered_by").getString("decision")).isEqualTo("deny");
    assertThat(alice.answer(id, "approve", v.getInteger("number")).status()).isEqualTo(409);
    alice.awaitWithdrawal(id);
    JsonObject verdict = verdicts(id, 1).getFirst();
    assertThat(verdict.getString("outcome")).isEqualTo("denied");
    assertThat(verdict.getString("device_id")).isEqualTo(bob.deviceId);
  }

  @Test
  void withNumberMatchingTheDeviceIsNotToldTheNumberAndOnlyTheRightNumberApproves() {
    String account = account("matcher");
    PhoneApp alice = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Alice");
    PhoneApp bob = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Bob");
    JsonObject created = push(ACME_KEY, account, "{\"mode\": \"approve\", \"number_matching\": true}");
    String id = created.getString("id");
    int number = created.getInteger("number");
    assertThat(number).isBetween(10, 99);
    assertThat(status(id).getInteger("number")).isEqualTo(number);

    for (PhoneApp phone : List.of(alice, bob)) {
      PhoneApp.Notification n = phone.awaitPush(id);
      assertThat(n.body()).endsWith("Enter the number shown on the sign-in screen.");
      assertThat(PhoneApp.dataKeys(n)).containsExactlyInAnyOrder("verification_id", "mode", "number_matching", "expires_at");
      assertThat(n.data().getString("number_matching")).isEqualTo("true");
    }
    int wrong = number == 99 ? 10 : number + 1;
    TestPlatform.Reply miss = alice.answer(id, "approve", wrong);
    assertThat(miss.status()).isEqualTo(422);
    assertThat(miss.body().getString("code")).isEqualTo("wrong-number");
    assertThat(miss.body().getInteger("attempts_left")).isEqualTo(4);
    TestPlatform.Reply none = alice.answer(id, "approve", null);
    assertThat(none.status()).as("approving without the number").isEqualTo(422);
    assertThat(none.body().getInteger("attempts_left")).isEqualTo(3);
    assertThat(status(id).getString("status")).isEqualTo("pending");
    assertThat(bob.answer(id, "approve", number).body().getString("status")).isEqualTo("approved");
  }

  // ---------------------------------------------------------------- at most once, fatigue

  @Test
  void redeliveredDispatchEventsAndARepeatedIdempotencyKeySendNothingTwice() throws Exception {
    String account = account("twice");
    PhoneApp iphone = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Ida");
    PhoneApp pixel = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Jo");
    String body = new JsonObject().put("channel", "push").put("account", account).put("mode", "code").encode();
    TestPlatform.Reply first = p.post("/v1/verifications", ACME_KEY, body, Map.of("Idempotency-Key", "login-" + account));
    assertThat(first.status()).isEqualTo(201);
    String id = first.body().getString("id");
    TestPlatform.Reply again = p.post("/v1/verifications", ACME_KEY, body, Map.of("Idempotency-Key", "login-" + account));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("idempotent-replayed")).isEqualTo("true");
    assertThat(again.body().getString("id")).isEqualTo(id);
    String code = iphone.awaitPush(id).code();
    pixel.awaitPush(id);

    List<TopicRecord> events = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.PUSH_DISPATCH)
        .stream().filter(r -> id.equals(r.key())).toList();
    assertThat(events).as("one event per device").hasSize(2);
    long reportsBefore = reports(id);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "push-redelivery-test", 3).producer())) {
      for (int round = 0; round < 2; round++) {
        for (TopicRecord e : events) {
          producer.send(new ProducerRecord<>(Topics.PUSH_DISPATCH, e.key(), e.value().getBytes())).get(10, TimeUnit.SECONDS);
        }
      }
    }
    // Each redelivered event is reported "sent" again (the first report may be what was lost): four more reports.
    await().atMost(Duration.ofSeconds(20)).until(() -> reports(id) >= reportsBefore + 4);
    assertThat(iphone.notificationsFor(id)).hasSize(1);
    assertThat(pixel.notificationsFor(id)).hasSize(1);
    assertThat(p.check(ACME_KEY, id, code).body().getString("status")).isEqualTo("approved");
  }

  private static long reports(String id) {
    return new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.DELIVERY_REPORTS).stream()
        .filter(r -> id.equals(r.key())).count();
  }

  @Test
  void theFatigueGuardRefusesTheFourthUnansweredPushUntilTheAccountSignsIn() {
    String account = account("bombed");
    PhoneApp phone = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Kim");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // acme allows 3 unanswered
      ids.add(push(ACME_KEY, account, "{}").getString("id"));
    }
    TestPlatform.Reply fourth = p.post("/v1/verifications", ACME_KEY,
        new JsonObject().put("channel", "push").put("account", account).encode());
    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.header("content-type")).isEqualTo("application/problem+json");
    assertThat(fourth.body().getString("code")).isEqualTo("too-many-unanswered-pushes");
    assertThat(Long.parseLong(fourth.header("retry-after"))).isPositive();
    ids.forEach(phone::awaitPush);

    // A denial is no success: still refused. An approval is, and pushes go out again.
    assertThat(phone.answer(ids.get(0), "deny", null).status()).isEqualTo(200);
    assertThat(p.post("/v1/verifications", ACME_KEY, new JsonObject().put("channel", "push").put("account", account)
        .encode()).status()).isEqualTo(429);
    assertThat(phone.answer(ids.get(1), "approve", null).status()).isEqualTo(200);
    String next = push(ACME_KEY, account, "{}").getString("id");
    phone.awaitPush(next);
    assertThat(phone.notifications()).extracting(PhoneApp.Notification::verificationId)
        .filteredOn(v -> !ids.contains(v) && !v.equals(next)).isEmpty();
  }

  // ---------------------------------------------------------------- dead tokens

  @Test
  void aDeadTokenReportRemovesTheDeviceOnceAndSparesADeviceRegisteredAgainAfterIt() throws Exception {
    String account = account("reinstall");
    PhoneApp phone = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Lee");
    p.clock.advance(Duration.ofSeconds(1));
    String id = push(ACME_KEY, account, "{}").getString("id");
    phone.awaitPush(id);
    Instant reported = p.clock.instant();
    p.clock.advance(Duration.ofSeconds(1));
    // The app registers the same token again (a reinstall): the device is the same, its registration newer.
    TestPlatform.Reply again = p.post("/v1/accounts/" + account + "/devices", ACME_KEY, new JsonObject().put("platform", "apns")
        .put("token", phone.token).put("name", "iPhone").put("label", "Lee").put("public_key", phone.publicKey()).encode());
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().getString("id")).isEqualTo(phone.deviceId);

    publishReport(deadTokenReport(id, phone.deviceId, reported, java.util.UUID.randomUUID().toString()));
    awaitReportsConsumed();
    assertThat(devices(account)).as("a token registered again after the report is kept").contains(phone.deviceId);

    String later = java.util.UUID.randomUUID().toString();
    byte[] report = deadTokenReport(id, phone.deviceId, p.clock.instant().plusSeconds(1), later);
    publishReport(report);
    publishReport(report); // delivered twice
    publishReport("{not json".getBytes());
    awaitReportsConsumed();
    assertThat(devices(account)).doesNotContain(phone.deviceId);
    List<JsonObject> removals = TotpFlowTest.accountEvents(account, 3).stream()
        .filter(e -> "device_removed".equals(e.getString("type"))).toList();
    // A report seen again publishes the remembered event again (the first publish may be what failed):
    // the same event, with the same id, for consumers to de-duplicate; never a second removal.
    assertThat(removals.stream().map(e -> e.getString("event_id")).distinct()).hasSize(1);
    assertThat(removals.getFirst().getString("actor")).isEqualTo("system");
    List<TopicRecord> letters = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.DEAD_LETTERS);
    assertThat(letters).as("the poison report, dead-lettered by the verifier's consumer")
        .anyMatch(r -> r.header(Topics.DEAD_LETTER_SOURCE).orElse("").startsWith("verifier:" + Topics.DELIVERY_REPORTS)
            && "{not json".equals(r.value()));
  }

  private static byte[] deadTokenReport(String id, String device, Instant at, String eventId) {
    return new JsonObject().put("event_id", eventId).put("occurred_at", at.toString()).put("tenant", "acme")
        .put("verification_id", id).put("channel", "push").put("provider", "apns").put("state", "failed")
        .put("error_code", "Unregistered").put("reason", "device-unregistered").put("device_id", device).toBuffer().getBytes();
  }

  private static void publishReport(byte[] value) throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "push-report-test", 3).producer())) {
      producer.send(new ProducerRecord<>(Topics.DELIVERY_REPORTS, "VE-report", value)).get(10, TimeUnit.SECONDS);
    }
  }

  /** Waits until the verifier's dead-token consumer has committed everything on the delivery-report topic. */
  private static void awaitReportsConsumed() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.shared().bootstrapServers()))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
            io.otpflow.verifier.VerifierService.DELIVERIES_GROUP).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        admin.describeTopics(List.of(Topics.DELIVERY_REPORTS)).allTopicNames().get().get(Topics.DELIVERY_REPORTS)
            .partitions().forEach(i -> latest.put(new TopicPartition(Topics.DELIVERY_REPORTS, i.partition()), OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return ends.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
            ? committed.get(e.getKey()).offset() >= e.getValue().offset() : e.getValue().offset() == 0);
      });
    }
  }

  private static List<String> devices(String account) {
    return p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body().getJsonArray("devices").stream()
        .map(d -> ((JsonObject) d).getString("id")).toList();
  }

  @Test
  void anAccountWithoutDevicesHasNoActiveFactor() {
    TestPlatform.Reply r = p.post("/v1/verifications", ACME_KEY,
        new JsonObject().put("channel", "push").put("account", account("nobody")).encode());
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().getString("code")).isEqualTo("no-active-factor");
  }
}
