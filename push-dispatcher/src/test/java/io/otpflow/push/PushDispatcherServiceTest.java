package io.otpflow.push;

import io.otpflow.common.retry.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.eatthepath.pushy.apns.server.RejectionReason;
import io.micrometer.core.instrument.Counter;
import io.otpflow.common.Env;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.events.Verdict;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.testing.FakeApns;
import io.otpflow.testing.FakeFcm;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.LogCapture;
import io.otpflow.testing.RedisFixture;
import io.otpflow.testing.TopicRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The push dispatcher as deployed, configured from its environment: a real Kafka broker, a real
 * Redis, APNs through pushy to pushy's MockApnsServer over TLS, FCM over HTTP to {@link FakeFcm}.
 * Dispatch events and verdicts are published to Kafka as the issuer and the verifier would; what
 * the servers received, the delivery reports and the dead letters on Kafka are what is checked.
 */
class PushDispatcherServiceTest {
  static final String TOPIC = "dev.otpflow.authenticator";
  static final String TENANT = "acme";
  static final byte[] DISPATCH_KEY = "dispatch-key-0123456789abcdefghi".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ADDRESS_KEY = "address-key-0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
  static final SecretBox DISPATCH_BOX = new SecretBox(Map.of("d1", DISPATCH_KEY));
  static final SecretBox ADDRESS_BOX = new SecretBox(Map.of("a1", ADDRESS_KEY));
  /** Fast enough for tests; the defaults are 500 ms doubling to 10 s. */
  static final RetryPolicy RETRY = new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(400));

  @TempDir
  static Path dir;
  static FakeApns apns;
  static FakeFcm fcm;
  static Vertx vertx;
  static PushDispatcherService service;
  static KafkaProducer<String, byte[]> producer;
  static KafkaTopicReader topics;
  static RedisClient redis;
  static LogCapture logs;
  static LogCapture rootLogs;

  /** One registered device: its id, platform and push token (clear here; sealed on the topic). */
  record Device(String id, String platform, String token) {}

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.attachTo("io.otpflow", Level.TRACE);
    rootLogs = LogCapture.attachToRoot();
    apns = FakeApns.start(TOPIC);
    fcm = FakeFcm.start("otpflow-test");
    Path credentials = dir.resolve("fcm-service-account.json");
    Files.writeString(credentials, fcm.serviceAccountJson());
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaFixture.shared().bootstrapServers());
    env.put("KAFKA_PARTITIONS", "3");
    env.put("REDIS_URL", RedisFixture.shared().uri());
    env.put(PlatformKeys.DISPATCH_KEYS, "d1:" + Base64.getEncoder().encodeToString(DISPATCH_KEY));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + Base64.getEncoder().encodeToString(ADDRESS_KEY));
    env.put("PUSH_PROVIDER", "apns,fcm");
    env.put("APNS_KEY_FILE", apns.signingKeyFile().toString());
    env.put("APNS_KEY_ID", FakeApns.KEY_ID);
    env.put("APNS_TEAM_ID", FakeApns.TEAM_ID);
    env.put("APNS_TOPIC", TOPIC);
    env.put("APNS_ENVIRONMENT", "sandbox");
    env.put("APNS_HOST", apns.host());
    env.put("APNS_PORT", Integer.toString(apns.port()));
    env.put("APNS_TRUSTED_CERT_FILE", apns.trustedCertificateFile().toString());
    env.put("FCM_CREDENTIALS_FILE", credentials.toString());
    env.put("FCM_API_BASE_URL", fcm.baseUrl());
    env.put("OTPFLOW_HTTP_HOST", "127.0.0.1");
    env.put("OTPFLOW_HTTP_PORT", "0");
    vertx = Vertx.vertx();
    service = PushDispatcherService.start(PushDispatcherConfig.fromEnv(new Env(env)), vertx, Clock.systemUTC(), RETRY);
    await().atMost(Duration.ofSeconds(60)).until(service::isConsuming);
    producer = new KafkaProducer<>(new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "push-test", 3).producer());
    topics = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers(), Duration.ofSeconds(20));
    redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (producer != null) {
      producer.close();
    }
    if (redis != null) {
      redis.close();
    }
    vertx.close().await();
    apns.close();
    fcm.close();
    logs.close();
    rootLogs.close();
  }

  // --- the fan-out of one verification ----------------------------------------------------------

  @Test
  void threeDevicesOfOneAccount_theLiveOnesGetTheCode_theDeadTokenIsReportedAndBlocksNobody() {
    String account = "team-" + UUID.randomUUID();
    Device dead = apnsDevice();
    Device iphone = apnsDevice();
    Device pixel = fcmDevice();
    apns.markUnregistered(dead.token());
    String vid = verificationId();
    // The dead device's event goes first: the others must not wait for it, nor be skipped because of it.
    for (Device d : List.of(dead, iphone, pixel)) {
      publish(dispatch(vid, account, d, "code", "482913"));
    }

    List<DeliveryReport> reports = awaitReports(vid, 3);
    assertThat(reports).filteredOn(r -> r.deviceId().equals(dead.id())).singleElement().satisfies(r -> {
      assertThat(r.state()).isEqualTo("failed");
      assertThat(r.reason()).isEqualTo("device-unregistered");
      assertThat(r.errorCode()).isEqualTo("Unregistered");
      assertThat(r.provider()).isEqualTo("apns");
      assertThat(r.channel()).isEqualTo("push");
    });
    assertThat(reports).filteredOn(r -> !r.deviceId().equals(dead.id()))
        .extracting(DeliveryReport::deviceId, DeliveryReport::state, DeliveryReport::provider)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(iphone.id(), "sent", "apns"),
            org.assertj.core.groups.Tuple.tuple(pixel.id(), "sent", "fcm"));

    FakeApns.Received ios = apns.receivedBy(iphone.token()).getFirst();
    assertThat(ios.payload().getJsonObject("aps").getJsonObject("alert").getString("body"))
        .isEqualTo("Your Acme code is 482913.");
    assertThat(ios.payload().getString("code")).isEqualTo("482913");
    assertThat(ios.collapseId()).isEqualTo(vid);
    JsonObject android = fcm.messagesTo(pixel.token()).getFirst().message();
    assertThat(android.getJsonObject("notification").getString("body")).isEqualTo("Your Acme code is 482913.");
    assertThat(android.getJsonObject("data").getString("code")).isEqualTo("482913");
    // The dead token was tried once (no retries: it will never work) and never received anything.
    assertThat(apns.attemptsFor(dead.token())).extracting(FakeApns.Attempt::answer).containsExactly("UNREGISTERED");
    assertThat(apns.receivedBy(dead.token())).isEmpty();
    assertThat(counter(Metrics.PUSH_TOKENS_DEAD, Metrics.TAG_PLATFORM, "apns", Metrics.TAG_REASON, "Unregistered"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void approveModeAsksWithoutACode() {
    String account = "family-" + UUID.randomUUID();
    Device iphone = apnsDevice();
    Device pixel = fcmDevice();
    String vid = verificationId();
    publish(dispatch(vid, account, iphone, "approve", null));
    publish(dispatch(vid, account, pixel, "approve", null));

    assertThat(awaitReports(vid, 2)).extracting(DeliveryReport::state).containsOnly("sent");
    JsonObject ios = apns.receivedBy(iphone.token()).getFirst().payload();
    assertThat(ios.containsKey("code")).isFalse();
    assertThat(ios.getString("mode")).isEqualTo("approve");
    assertThat(ios.getString("number_matching")).isEqualTo("true");
    assertThat(ios.getJsonObject("aps").getJsonObject("alert").getString("body")).isEqualTo("Approve sign-in to Acme?");
    JsonObject android = fcm.messagesTo(pixel.token()).getFirst().message();
    assertThat(android.getJsonObject("data").containsKey("code")).isFalse();
    assertThat(android.getJsonObject("data").getString("mode")).isEqualTo("approve");
  }

  @Test
  void redeliveredAndRepeatedDispatchEventsSendNothingTwice() {
    String account = "ops-" + UUID.randomUUID();
    Device iphone = apnsDevice();
    Device pixel = fcmDevice();
    String vid = verificationId();
    PushDispatch toIphone = dispatch(vid, account, iphone, "code", "123987");
    PushDispatch toPixel = dispatch(vid, account, pixel, "code", "123987");
    for (int i = 0; i < 3; i++) { // the same events delivered again, as after a crash before the commit
      publish(toIphone);
      publish(toPixel);
    }
    // and a second event for the same verification and device (an issuer re-dispatch)
    publish(dispatch(vid, account, pixel, "code", "123987"));

    // Wait until every copy was handled: each one after the first says so in a log line.
    await().atMost(Duration.ofSeconds(30)).until(() -> logs.messages().stream()
        .filter(line -> line.contains(vid) && line.contains("again")).count() == 5);
    assertThat(apns.attemptsFor(iphone.token())).hasSize(1);
    assertThat(fcm.requestsFor(pixel.token())).hasSize(1);
    // A copy handled after the first was accepted re-publishes "sent" (the report may be what got lost),
    // always with the one provider message id.
    List<DeliveryReport> reports = awaitReports(vid, 2);
    assertThat(reports).extracting(DeliveryReport::state).containsOnly("sent");
    assertThat(reports).filteredOn(r -> r.deviceId().equals(pixel.id()))
        .extracting(DeliveryReport::providerMessageId).containsOnly(fcm.messagesTo(pixel.token()).getFirst().name());
  }

  // --- retries -----------------------------------------------------------------------------------

  @Test
  void aDeviceWaitingOutRetryAfterHoldsBackNoOtherPush_andItsRetryComesNoEarlier() {
    String account = "team-" + UUID.randomUUID();
    Device slow = fcmDevice();
    Device iphone = apnsDevice();
    String vid = verificationId();
    fcm.failNext(slow.token(), 1, 503, 3);
    publish(dispatch(vid, account, slow, "approve", null));
    await().atMost(Duration.ofSeconds(20)).until(() -> !fcm.requestsFor(slow.token()).isEmpty());

    // The other device's event comes later, so in a later poll than the one waiting out Retry-After.
    publish(dispatch(vid, account, iphone, "approve", null));
    await().atMost(Duration.ofSeconds(20)).until(() -> !apns.receivedBy(iphone.token()).isEmpty());
    assertThat(fcm.requestsFor(slow.token())).as("the slow device is still waiting for its retry")
        .extracting(FakeFcm.Request::status).containsExactly(503);

    await().atMost(Duration.ofSeconds(20)).until(() -> fcm.messagesTo(slow.token()).size() == 1);
    List<FakeFcm.Request> tries = fcm.requestsFor(slow.token());
    assertThat(tries).extracting(FakeFcm.Request::status).containsExactly(503, 200);
    assertThat(Duration.between(tries.get(0).at(), tries.get(1).at())).as("Retry-After: 3 honoured")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(awaitReports(vid, 2)).extracting(DeliveryReport::state).containsOnly("sent");
  }

  @Test
  void apnsTooManyRequestsAndFcmQuotaAreRetriedUntilAccepted() {
    String account = "team-" + UUID.randomUUID();
    Device iphone = apnsDevice();
    Device pixel = fcmDevice();
    apns.failNext(iphone.token(), 2, RejectionReason.TOO_MANY_REQUESTS);
    fcm.failNext(pixel.token(), 1, 429, 1);
    String vid = verificationId();
    double before = counter(Metrics.PUSH_RETRIES, Metrics.TAG_PLATFORM, "apns", Metrics.TAG_KIND, "notify");
    publish(dispatch(vid, account, iphone, "code", "555123"));
    publish(dispatch(vid, account, pixel, "code", "555123"));

    assertThat(awaitReports(vid, 2)).extracting(DeliveryReport::state).containsOnly("sent");
    assertThat(apns.attemptsFor(iphone.token())).extracting(FakeApns.Attempt::answer)
        .containsExactly("TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", "accepted");
    assertThat(fcm.requestsFor(pixel.token())).extracting(FakeFcm.Request::status).containsExactly(429, 200);
    assertThat(counter(Metrics.PUSH_RETRIES, Metrics.TAG_PLATFORM, "apns", Metrics.TAG_KIND, "notify") - before)
        .isEqualTo(2);
  }

  @Test
  void aBudgetSpentOnTransientFailuresEndsInADeadLetterAndAFailedReport() {
    Device pixel = fcmDevice();
    fcm.failNext(pixel.token(), 10, 503, null);
    String vid = verificationId();
    publish(dispatch(vid, "acct-" + UUID.randomUUID(), pixel, "approve", null));

    DeliveryReport report = awaitReports(vid, 1).getFirst();
    assertThat(report.state()).isEqualTo("failed");
    assertThat(report.reason()).isEqualTo("retries-exhausted");
    assertThat(fcm.requestsFor(pixel.token())).hasSize(RETRY.maxAttempts());
    assertThat(awaitDeadLetters(vid, 1).getFirst().header(Topics.DEAD_LETTER_REASON).orElseThrow())
        .startsWith("retries-exhausted: FCM answered 503 UNAVAILABLE");
  }

  @Test
  void aPermanentRefusalIsDeadLetteredWithItsReasonAndNotRetried() {
    Device pixel = fcmDevice();
    fcm.failNext(pixel.token(), 1, 403, null);
    String vid = verificationId();
    publish(dispatch(vid, "acct-" + UUID.randomUUID(), pixel, "approve", null));

    DeliveryReport report = awaitReports(vid, 1).getFirst();
    assertThat(report.state()).isEqualTo("failed");
    assertThat(report.reason()).isEqualTo("permanent");
    assertThat(report.errorCode()).isEqualTo("SENDER_ID_MISMATCH");
    TopicRecord letter = awaitDeadLetters(vid, 1).getFirst();
    assertThat(letter.header(Topics.DEAD_LETTER_REASON).orElseThrow()).startsWith("permanent: SENDER_ID_MISMATCH");
    assertThat(letter.header(Topics.DEAD_LETTER_SOURCE).orElseThrow()).isEqualTo("push-dispatcher:" + Topics.PUSH_DISPATCH);
    assertThat(fcm.requestsFor(pixel.token())).hasSize(1);
  }

  // --- poison events -----------------------------------------------------------------------------

  @Test
  void poisonEventsAreDeadLetteredAndSendNothing() {
    String vid = verificationId();
    Device iphone = apnsDevice();
    PushDispatch good = dispatch(vid, "acct-" + UUID.randomUUID(), iphone, "code", "246810");
    // A token sealed for another account does not open for this one.
    PushDispatch moved = new PushDispatch(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, "someone-else",
        iphone.id(), "apns", good.token(), "code", good.code(), good.title(), good.body(), false, good.expiresAt());
    // A code sealed for another verification does not open for this one.
    String other = verificationId();
    PushDispatch wrongCode = new PushDispatch(UUID.randomUUID().toString(), Instant.now(), TENANT, other, good.account(),
        iphone.id(), "apns", good.token(), "code", good.code(), good.title(), good.body(), false, good.expiresAt());
    JsonObject unknownPlatform = new JsonObject(new String(Json.write(good), StandardCharsets.UTF_8)).put("platform", "blackberry");
    JsonObject noToken = new JsonObject(new String(Json.write(good), StandardCharsets.UTF_8));
    noToken.remove("token");
    publish(moved);
    publish(wrongCode);
    publishRaw(vid, unknownPlatform.encode().getBytes(StandardCharsets.UTF_8));
    publishRaw(vid, noToken.encode().getBytes(StandardCharsets.UTF_8));
    publishRaw(vid, new byte[] {(byte) 0xff, 0x00, 0x13});

    List<TopicRecord> letters = awaitDeadLetters(vid, 4);
    assertThat(letters).extracting(l -> l.header(Topics.DEAD_LETTER_REASON).orElseThrow())
        .allMatch(reason -> reason.startsWith("malformed: "))
        .anyMatch(reason -> reason.contains("missing required field token"))
        .anyMatch(reason -> reason.contains("Unknown push platform"))
        .anyMatch(reason -> reason.contains("does not open"));
    assertThat(awaitDeadLetters(other, 1)).singleElement()
        .satisfies(l -> assertThat(l.header(Topics.DEAD_LETTER_REASON).orElseThrow()).contains("does not open"));
    // The devices of readable but broken events are told about; nothing reached a provider.
    assertThat(awaitReports(vid, 1)).extracting(DeliveryReport::reason).containsOnly("malformed");
    assertThat(apns.attemptsFor(iphone.token())).isEmpty();
    // The dispatcher is still working.
    String next = verificationId();
    publish(dispatch(next, "acct-" + UUID.randomUUID(), iphone, "approve", null));
    assertThat(awaitReports(next, 1)).extracting(DeliveryReport::state).containsExactly("sent");
  }

  @Test
  void anExpiredEventIsDroppedAndReported() {
    Device iphone = apnsDevice();
    String vid = verificationId();
    PushDispatch fresh = dispatch(vid, "acct-" + UUID.randomUUID(), iphone, "approve", null);
    publish(new PushDispatch(fresh.eventId(), fresh.occurredAt(), TENANT, vid, fresh.account(), iphone.id(), "apns",
        fresh.token(), "approve", null, fresh.title(), fresh.body(), false, Instant.now().minusSeconds(1)));
    assertThat(awaitReports(vid, 1)).extracting(DeliveryReport::reason).containsExactly("expired-before-send");
    assertThat(apns.attemptsFor(iphone.token())).isEmpty();
  }

  // --- withdrawal --------------------------------------------------------------------------------

  @Test
  void theAnsweringDeviceKeepsItsNotification_theOthersAreWithdrawnOnce() {
    String account = "family-" + UUID.randomUUID();
    Device answering = apnsDevice();
    Device otherIphone = apnsDevice();
    Device pixel = fcmDevice();
    String vid = verificationId();
    for (Device d : List.of(answering, otherIphone, pixel)) {
      publish(dispatch(vid, account, d, "approve", null));
    }
    awaitReports(vid, 3);

    Verdict approved = new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "approved", 0,
        "push", answering.id());
    publishVerdict(approved);
    publishVerdict(approved); // seen twice: still one withdrawal per device

    await().atMost(Duration.ofSeconds(20)).until(() -> apns.receivedBy(otherIphone.token()).size() == 2
        && fcm.messagesTo(pixel.token()).size() == 2);
    FakeApns.Received replaced = apns.receivedBy(otherIphone.token()).get(1);
    assertThat(replaced.collapseId()).isEqualTo(vid);
    assertThat(replaced.payload().getString("mode")).isEqualTo("withdraw");
    assertThat(replaced.payload().getJsonObject("aps").getJsonObject("alert").getString("body"))
        .isEqualTo("This sign-in request was answered on another device.");
    JsonObject dismiss = fcm.messagesTo(pixel.token()).get(1).message();
    assertThat(dismiss.containsKey("notification")).isFalse();
    assertThat(dismiss.getJsonObject("data").getString("mode")).isEqualTo("withdraw");
    assertThat(dismiss.getJsonObject("android").getString("collapse_key")).isEqualTo(vid);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
        apns.receivedBy(answering.token()).size() == 1 && apns.receivedBy(otherIphone.token()).size() == 2
            && fcm.messagesTo(pixel.token()).size() == 2);
    // Withdrawals are not deliveries of the verification: no further reports.
    assertThat(reports(vid)).hasSize(3);
  }

  @Test
  void aCodeTypedOnTheLoginPageWithdrawsEveryDevice_andAVerdictOfAnotherChannelNothing() {
    String account = "ops-" + UUID.randomUUID();
    Device iphone = apnsDevice();
    Device pixel = fcmDevice();
    String vid = verificationId();
    publish(dispatch(vid, account, iphone, "code", "900417"));
    publish(dispatch(vid, account, pixel, "code", "900417"));
    awaitReports(vid, 2);

    publishVerdict(new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "approved", 0, "sms", null));
    publishVerdict(new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "denied", 4, "push", null));
    publishVerdict(new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "approved", 0, "push", null));

    await().atMost(Duration.ofSeconds(20)).until(() -> apns.receivedBy(iphone.token()).size() == 2
        && fcm.messagesTo(pixel.token()).size() == 2);
    assertThat(apns.receivedBy(iphone.token()).get(1).payload().getJsonObject("aps").getJsonObject("alert")
        .getString("body")).isEqualTo("This code has been used.");
    assertThat(apns.receivedBy(iphone.token()).get(1).payload().containsKey("code")).isFalse();
  }

  @Test
  void aVerdictStopsASendStillWaitingForItsRetry() {
    String account = "team-" + UUID.randomUUID();
    Device answering = apnsDevice();
    Device late = fcmDevice();
    String vid = verificationId();
    fcm.failNext(late.token(), 1, 503, 2);
    publish(dispatch(vid, account, answering, "approve", null));
    publish(dispatch(vid, account, late, "approve", null));
    await().atMost(Duration.ofSeconds(20)).until(() -> !apns.receivedBy(answering.token()).isEmpty()
        && !fcm.requestsFor(late.token()).isEmpty());

    publishVerdict(new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "approved", 0, "push",
        answering.id()));

    List<DeliveryReport> reports = awaitReports(vid, 2);
    assertThat(reports).filteredOn(r -> r.deviceId().equals(late.id())).singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo("decided-before-send"));
    assertThat(fcm.requestsFor(late.token())).extracting(FakeFcm.Request::status).containsExactly(503);
  }

  // --- secrets -----------------------------------------------------------------------------------

  @Test
  void tokensAndCodesAppearInNoLogNoEventAndNoRedisValue() {
    String code = Long.toString(ThreadLocalRandom.current().nextLong(10_000_000L, 99_999_999L));
    String account = "secret-" + UUID.randomUUID();
    Device iphone = apnsDevice();
    Device dead = apnsDevice();
    Device pixel = fcmDevice();
    apns.markUnregistered(dead.token());
    fcm.failNext(pixel.token(), 1, 503, null);
    String vid = verificationId();
    for (Device d : List.of(iphone, dead, pixel)) {
      publish(dispatch(vid, account, d, "code", code));
    }
    awaitReports(vid, 3);
    publishVerdict(new Verdict(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, "approved", 0, "push",
        iphone.id()));
    await().atMost(Duration.ofSeconds(20)).until(() -> fcm.messagesTo(pixel.token()).size() == 2);

    List<String> secrets = List.of(code, iphone.token(), dead.token(), pixel.token());
    for (String secret : secrets) {
      assertThat(logs.messages()).noneMatch(line -> line.contains(secret));
      assertThat(rootLogs.messages()).noneMatch(line -> line.contains(secret));
      assertThat(topics.readEveryTopic()).noneMatch(r -> r.contains(secret));
    }
    Map<String, String> state = redis.hgetAll(RedisKeys.pushState(vid));
    assertThat(state).isNotEmpty();
    assertThat(state.values()).noneMatch(v -> secrets.stream().anyMatch(v::contains));
    String scrape = service.registry().scrape();
    assertThat(scrape).contains(Metrics.PUSH_SENT.replace('.', '_'));
    for (String notALabel : List.of(iphone.id(), pixel.id(), account, vid, iphone.token())) {
      assertThat(scrape).doesNotContain(notALabel);
    }
  }

  // --- helpers -----------------------------------------------------------------------------------

  static Device apnsDevice() {
    return new Device(deviceId(), "apns", apns.newDeviceToken());
  }

  static Device fcmDevice() {
    return new Device(deviceId(), "fcm", fcm.newRegistrationToken());
  }

  static String deviceId() {
    return "DV" + HexFormat.of().formatHex(random(16));
  }

  static String verificationId() {
    return "VE" + HexFormat.of().formatHex(random(16));
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  /** The event the issuer publishes for one device: token sealed with the address keys, code with the dispatch keys. */
  static PushDispatch dispatch(String vid, String account, Device device, String mode, String code) {
    String body = "code".equals(mode) ? "Your Acme code is {code}." : "Approve sign-in to Acme?";
    return new PushDispatch(UUID.randomUUID().toString(), Instant.now(), TENANT, vid, account, device.id(),
        device.platform(), ADDRESS_BOX.seal(device.token(), "push-token|" + TENANT + "|" + account), mode,
        code != null ? DISPATCH_BOX.seal(code, vid) : null, "Acme", body, "approve".equals(mode),
        Instant.now().plus(Duration.ofMinutes(5)));
  }

  static void publish(PushDispatch d) {
    publishRaw(d.verificationId(), Json.write(d));
  }

  static void publishRaw(String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(Topics.PUSH_DISPATCH, key, value)).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void publishVerdict(Verdict v) {
    try {
      producer.send(new ProducerRecord<>(Topics.VERDICTS, v.verificationId(), Json.write(v))).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<DeliveryReport> reports(String vid) {
    return topics.readAll(Topics.DELIVERY_REPORTS).stream().filter(r -> vid.equals(r.key()))
        .map(r -> Json.read(r.value().getBytes(StandardCharsets.UTF_8), DeliveryReport.class)).toList();
  }

  /** Waits until the verification has at least {@code count} reports. */
  static List<DeliveryReport> awaitReports(String vid, int count) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> reports(vid), r -> r.size() >= count);
  }

  static List<TopicRecord> awaitDeadLetters(String vid, int count) {
    return await().atMost(Duration.ofSeconds(30)).until(
        () -> topics.readAll(Topics.DEAD_LETTERS).stream().filter(r -> vid.equals(r.key())).toList(),
        r -> r.size() >= count);
  }

  static double counter(String name, String... tags) {
    Counter c = service.registry().find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }
}
