package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static io.otpflow.launcher.TestPlatform.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Metrics;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.Topics;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import redis.clients.jedis.UnifiedJedis;

/**
 * The operator's view after a real flow through the running services: one SMS delivered through a
 * signed Twilio callback and verified, one wrong code, one undelivered receipt, one permanent provider
 * error (a dead letter), one provider retry, one account lockout, one verification locked by its
 * attempts, one rate limit, one poison record, one expired check, and a tenant that runs into its
 * daily spend cap. Every service's real /metrics is then read over HTTP.
 *
 * <p>The flow sends to UK numbers (+44) only, and other end-to-end tests send to +1 numbers, so the
 * {@code country_code="44"} series count this flow alone even though Kafka and Redis are shared.
 * The same exposition is checked against docs/metrics.md, against promtool's lint, and for label
 * values that would leak a number, code, account or id.
 */
@Tag(OptionalTools.TAG)
class MetricsFlowTest {
  static final String CAPPED_KEY = "capped-test-key-0123456789";
  private static final AtomicInteger UK_NUMBERS = new AtomicInteger(100_000 + (int) (System.nanoTime() % 800_000));

  static TestPlatform p;
  /** Everything the flow sent that must never show up in a label: numbers, codes, accounts, ids. */
  static final List<String> secrets = new ArrayList<>();
  static TestPlatform.Reply rateLimited;
  static final List<TestPlatform.Reply> cappedSends = new ArrayList<>();
  static final List<String> cappedNumbers = new ArrayList<>();
  static Instant cappedAt;

  @BeforeAll
  static void runTheFlow() throws Exception {
    clearSpendOfTheCappedTenant();
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(), Map.of(
        "OTPFLOW_TENANTS", TestPlatform.tenants("""
            {"id": "capped", "display_name": "Capped", "api_key": "%s", "daily_spend_cap": 0.10}""".formatted(CAPPED_KEY)),
        "OTPFLOW_SMS_PRICES", """
            {"currency": "USD", "default": 0.05, "calling_codes": {"1": 0.01, "44": 0.04}}"""));

    // Delivered through a signed Twilio callback, one wrong code, then verified.
    String deliveredTo = uk();
    String delivered = p.sendSms(ACME_KEY, deliveredTo);
    String code = p.awaitCode(delivered);
    awaitDelivery(delivered, "sent");
    assertThat(p.twilio.sendStatusCallback(p.smsFor(delivered).orElseThrow(), "delivered", null).join()).isEqualTo(204);
    awaitDelivery(delivered, "delivered");
    assertThat(p.check(ACME_KEY, delivered, wrong(code)).body().getString("status")).isEqualTo("denied");
    assertThat(p.check(ACME_KEY, delivered, code).body().getString("status")).isEqualTo("approved");
    remember(deliveredTo, delivered, code, wrong(code));

    // A second send to the same number within 30 s: the interval limit.
    rateLimited = p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + deliveredTo + "\"}");
    assertThat(rateLimited.status()).isEqualTo(429);

    // Twilio accepts, then the handset cannot be reached.
    String unreachableTo = uk();
    String unreachable = p.sendSms(ACME_KEY, unreachableTo);
    remember(unreachableTo, unreachable, p.awaitCode(unreachable));
    awaitDelivery(unreachable, "sent");
    assertThat(p.twilio.sendStatusCallback(p.smsFor(unreachable).orElseThrow(), "undelivered", "30003").join())
        .isEqualTo(204);
    awaitDelivery(unreachable, "undelivered");

    // A permanent Twilio error (the recipient replied STOP): dead-lettered, reported failed.
    p.twilio.failNext(1, 400, 21610, null);
    String blockedTo = uk();
    String blocked = p.sendSms(ACME_KEY, blockedTo);
    remember(blockedTo, blocked);
    awaitDelivery(blocked, "failed");

    // Twilio says 429 once: the dispatcher retries.
    p.twilio.failNext(1, 429, 20429, 1);
    String retriedTo = uk();
    String retried = p.sendSms(ACME_KEY, retriedTo);
    remember(retriedTo, retried, p.awaitCode(retried));
    awaitDelivery(retried, "sent");

    // Three failures in a row lock the account (tenant acme's threshold); its next check is refused.
    String account = "metrics-user-" + System.nanoTime();
    String lockedTo = uk();
    String first = sendWithAccount(lockedTo, account);
    String firstCode = p.awaitCode(first);
    awaitDelivery(first, "sent");
    for (int i = 0; i < 2; i++) {
      assertThat(p.check(ACME_KEY, first, wrong(firstCode)).body().getString("status")).isEqualTo("denied");
    }
    assertThat(p.check(ACME_KEY, first, wrong(firstCode)).body().getLong("retry_after_seconds")).isEqualTo(60);
    String secondTo = uk();
    String second = sendWithAccount(secondTo, account);
    String secondCode = p.awaitCode(second);
    awaitDelivery(second, "sent");
    assertThat(p.check(ACME_KEY, second, secondCode).body().getString("status")).isEqualTo("locked");
    remember(account, lockedTo, first, firstCode, secondTo, second, secondCode);

    // Five wrong codes lock a verification (tenant other: no account, so no account lockout).
    String attemptsTo = uk();
    String attempts = p.sendSms(OTHER_KEY, attemptsTo);
    String attemptsCode = p.awaitCode(attempts);
    awaitDelivery(attempts, "sent", OTHER_KEY);
    for (int i = 0; i < 4; i++) {
      assertThat(p.check(OTHER_KEY, attempts, wrong(attemptsCode)).body().getString("status")).isEqualTo("denied");
    }
    assertThat(p.check(OTHER_KEY, attempts, wrong(attemptsCode)).body().getString("status")).isEqualTo("locked");
    remember(attemptsTo, attempts, attemptsCode);

    // A poison record on the verifier's topic: dead-lettered as malformed.
    KafkaSettings settings = new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "test-metrics-poison", 3);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer())) {
      producer.send(new ProducerRecord<>(Topics.VERIFIER_REQUESTS, "poison-metrics", "{not json".getBytes())).get();
    }

    // Tenant capped: 0.10 USD a day, 0.04 per UK message; two fit, the third would pass the cap.
    for (int i = 0; i < 3; i++) {
      String to = uk();
      TestPlatform.Reply r = p.post("/v1/verifications", CAPPED_KEY, "{\"to\": \"" + to + "\"}");
      cappedSends.add(r);
      cappedNumbers.add(to);
      remember(to, r.body().getString("id", ""));
    }
    cappedAt = p.clock.instant();

    pushFlow();

    // A code checked after its lifetime.
    String expiredTo = uk();
    String expired = p.sendSms(ACME_KEY, expiredTo);
    String expiredCode = p.awaitCode(expired);
    awaitDelivery(expired, "sent");
    p.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    assertThat(p.check(ACME_KEY, expired, expiredCode).body().getString("status")).isEqualTo("expired");
    remember(expiredTo, expired, expiredCode);
  }

  /**
   * Push, for the push series and the funnel with channel push: three phones on one account, one of
   * them with a dead token (pruned), one answered 429 once (retried); a device approves (the others
   * are withdrawn); then a permanent FCM error (dead letter), a forged answer, a wrong number and a deny.
   */
  private static void pushFlow() {
    String account = "metrics-team-" + System.nanoTime();
    PhoneApp iphone = PhoneApp.iphone(p).register(ACME_KEY, account, "iPhone", "Ann");
    PhoneApp ipad = PhoneApp.iphone(p).register(ACME_KEY, account, "iPad", "Ann");
    PhoneApp pixel = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Ben");
    remember(account, iphone.deviceId, ipad.deviceId, pixel.deviceId, iphone.token, ipad.token, pixel.token);
    p.apns.markUnregistered(ipad.token);
    p.apns.failNext(iphone.token, 1, com.eatthepath.pushy.apns.server.RejectionReason.TOO_MANY_REQUESTS);
    p.clock.advance(Duration.ofSeconds(1));
    String approved = push(account, "{}");
    pixel.awaitPush(approved);
    await().atMost(Duration.ofSeconds(20)).until(() -> { // the retry queue runs on the platform's clock
      p.clock.advance(Duration.ofMillis(500));
      return !iphone.notificationsFor(approved).isEmpty();
    });
    assertThat(pixel.answer(approved, "approve", null).body().getString("status")).isEqualTo("approved");
    iphone.awaitWithdrawal(approved);
    await().atMost(Duration.ofSeconds(20)).until(() -> p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body()
        .getJsonArray("devices").size() == 2);

    p.fcm.failNext(pixel.token, 1, 403, null); // SENDER_ID_MISMATCH: permanent, dead-lettered
    io.vertx.core.json.JsonObject created = p.post("/v1/verifications", ACME_KEY, new io.vertx.core.json.JsonObject()
        .put("channel", "push").put("account", account).put("number_matching", true).encode()).body();
    String denied = created.getString("id");
    int number = created.getInteger("number");
    iphone.awaitPush(denied);
    assertThat(iphone.answer(null, denied, "approve", null, PhoneApp.sign(PhoneApp.newKeys(),
        PhoneApp.signedText(denied, "approve", null))).status()).isEqualTo(403);
    assertThat(iphone.answer(denied, "approve", number == 99 ? 10 : number + 1).status()).isEqualTo(422);
    assertThat(iphone.answer(denied, "deny", null).body().getString("status")).isEqualTo("denied");
    await().atMost(Duration.ofSeconds(20)).until(() -> p.fcm.requestsFor(pixel.token).stream().anyMatch(r -> r.status() == 403));
    remember(approved, denied); // not the number: two digits, no secret (the sign-in screen shows it)
  }

  private static String push(String account, String json) {
    TestPlatform.Reply r = p.post("/v1/verifications", ACME_KEY,
        new io.vertx.core.json.JsonObject(json).put("channel", "push").put("account", account).encode());
    assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
    return r.body().getString("id");
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
  }

  /** A UK mobile number (+44 7400 ……, a fully allocated range) no other send in this run uses. */
  private static String uk() {
    return "+447400" + UK_NUMBERS.incrementAndGet();
  }

  private static String wrong(String code) {
    return code.equals("000000") ? "111111" : "000000";
  }

  private static void remember(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        secrets.add(v);
      }
    }
  }

  private static String sendWithAccount(String to, String account) {
    TestPlatform.Reply r = p.post("/v1/verifications", ACME_KEY,
        "{\"to\": \"" + to + "\", \"account\": \"" + account + "\"}");
    assertThat(r.status()).as(r.body().encode()).isEqualTo(201);
    return r.body().getString("id");
  }

  private static void awaitDelivery(String id, String state) {
    awaitDelivery(id, state, ACME_KEY);
  }

  private static void awaitDelivery(String id, String state, String key) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(p.get("/v1/verifications/" + id, key).body().getString("delivery")).isEqualTo(state));
  }

  /** The spend counter is per tenant and UTC day in the shared Redis: start this run's day at zero. */
  private static void clearSpendOfTheCappedTenant() {
    try (UnifiedJedis redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2),
        Duration.ofSeconds(5), 2).connect()) {
      for (String key : redis.keys("otp:spend:{t:capped}:*")) {
        redis.del(key);
      }
    }
  }

  /** Every service's /metrics, read over HTTP as Prometheus reads it. */
  static Map<String, String> scrapes() {
    Map<String, String> urls = new LinkedHashMap<>();
    urls.put("gateway", p.gatewayMetricsUrl());
    urls.put("otp-issuer", "http://127.0.0.1:" + p.platform.issuer().httpPort() + "/metrics");
    urls.put("verifier", "http://127.0.0.1:" + p.platform.verifier().httpPort() + "/metrics");
    urls.put("sms-dispatcher", "http://127.0.0.1:" + p.platform.dispatcher().httpPort() + "/metrics");
    urls.put("push-dispatcher", "http://127.0.0.1:" + p.platform.push().httpPort() + "/metrics");
    Map<String, String> texts = new LinkedHashMap<>();
    urls.forEach((service, url) -> {
      TestPlatform.Reply r = p.getUrl(url, null);
      assertThat(r.status()).as("GET %s", url).isEqualTo(200);
      assertThat(r.header("content-type")).startsWith("text/plain");
      texts.put(service, r.raw().body());
    });
    return texts;
  }

  static PrometheusText scrape(String service) {
    return PrometheusText.parse(scrapes().get(service));
  }

  // --- the funnel -----------------------------------------------------------------------------------

  @Test
  void theIssuerCountsRequestsRefusalsAndDeliveryStagesOncePerVerification() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      PrometheusText issuer = scrape("otp-issuer");
      String[] acmeUk = {"tenant", "acme", "channel", "sms", "country_code", "44"};
      String[] twilioUk = {"tenant", "acme", "channel", "sms", "provider", "twilio", "country_code", "44"};
      // delivered, unreachable, blocked, retried, two for the account, expired
      assertThat(issuer.sum("otp_verifications_requested_total", acmeUk)).isEqualTo(7);
      assertThat(issuer.sum("otp_verifications_requested_total", "tenant", "other", "country_code", "44")).isEqualTo(1);
      assertThat(issuer.sum("otp_verifications_requested_total", "tenant", "capped", "country_code", "44")).isEqualTo(2);
      assertThat(issuer.sum("otp_verifications_rate_limited_total", "tenant", "acme", "country_code", "44", "reason", "interval"))
          .isEqualTo(1);
      // Every acme send but the blocked one was accepted; the redelivered or repeated reports add nothing.
      assertThat(issuer.sum("otp_verifications_sent_total", twilioUk)).isEqualTo(6);
      assertThat(issuer.sum("otp_verifications_delivered_total", twilioUk)).isEqualTo(1);
      assertThat(issuer.sum("otp_verifications_failed_total", "tenant", "acme", "country_code", "44",
          "state", "undelivered", "error_class", "unreachable")).isEqualTo(1);
      assertThat(issuer.sum("otp_verifications_failed_total", "tenant", "acme", "country_code", "44",
          "state", "failed", "error_class", "blocked")).isEqualTo(1);

      String[] latency = {"channel", "sms", "provider", "twilio", "country_code", "44"};
      assertThat(issuer.sum("otp_verification_time_to_sent_seconds_count", latency)).isEqualTo(9); // acme 6, other 1, capped 2
      assertThat(issuer.sum("otp_verification_time_to_delivered_seconds_count", latency)).isEqualTo(1);
      assertThat(issuer.find("otp_verification_time_to_delivered_seconds_bucket", latency))
          .extracting(s -> s.labels().get("le"))
          .as("delivery buckets run from half a second to half an hour")
          .contains("0.5", "60.0", "1800.0", "+Inf");
      assertThat(issuer.one("otp_verification_time_to_delivered_seconds_bucket", "country_code", "44", "le", "+Inf")
          .orElseThrow().value()).isEqualTo(1);

      assertThat(issuer.sum("otp_sms_estimated_cost_total", "tenant", "acme", "country_code", "44", "currency", "USD"))
          .isCloseTo(6 * 0.04, org.assertj.core.data.Offset.offset(1e-9));
    });
  }

  @Test
  void theVerifierCountsOutcomesAndTheTimeToVerify() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      PrometheusText verifier = scrape("verifier");
      String[] acmeUk = {"tenant", "acme", "channel", "sms", "provider", "twilio", "country_code", "44"};
      assertThat(verifier.sum("otp_verifications_verified_total", acmeUk)).isEqualTo(1);
      // one before the approval, three in a row for the account (the third starts its lock)
      assertThat(verifier.sum("otp_verifications_denied_total", acmeUk)).isEqualTo(4);
      assertThat(verifier.sum("otp_verifications_locked_total", "tenant", "acme", "country_code", "44", "reason", "account"))
          .isEqualTo(1);
      assertThat(verifier.sum("otp_verifications_denied_total", "tenant", "other", "country_code", "44")).isEqualTo(4);
      assertThat(verifier.sum("otp_verifications_locked_total", "tenant", "other", "country_code", "44", "reason", "attempts"))
          .isEqualTo(1);
      assertThat(verifier.sum("otp_verifications_expired_total", "tenant", "acme", "country_code", "44")).isEqualTo(1);
      assertThat(verifier.sum("otp_account_lockouts_total", "tenant", "acme")).isEqualTo(1);
      assertThat(verifier.sum("otp_verification_time_to_verified_seconds_count", "channel", "sms", "provider", "twilio",
          "country_code", "44")).isEqualTo(1);
      assertThat(verifier.find("otp_verification_time_to_verified_seconds_bucket", "country_code", "44"))
          .extracting(s -> s.labels().get("le")).contains("1.0", "30.0", "600.0", "+Inf");
      assertThat(verifier.sum("otp_check_latency_seconds_count")).isGreaterThanOrEqualTo(12);
      assertThat(verifier.sum("otp_dead_letters_total", "topic", Topics.VERIFIER_REQUESTS, "reason", "malformed"))
          .isEqualTo(1);
    });
  }

  @Test
  void pushCountsInTheFunnelWithChannelPushAndInItsOwnSeries() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      PrometheusText issuer = scrape("otp-issuer");
      assertThat(issuer.sum("otp_verifications_requested_total", "tenant", "acme", "channel", "push", "country_code", "none"))
          .isEqualTo(2);
      assertThat(issuer.sum("otp_verifications_sent_total", "tenant", "acme", "channel", "push")).as("once per verification")
          .isEqualTo(2);
      assertThat(issuer.sum("otp_verifications_failed_total", "channel", "push")).as("one dead device fails nothing").isZero();
      PrometheusText verifier = scrape("verifier");
      assertThat(verifier.sum("otp_verifications_verified_total", "tenant", "acme", "channel", "push")).isEqualTo(1);
      assertThat(verifier.sum("otp_verifications_denied_total", "tenant", "acme", "channel", "push"))
          .as("the wrong number and the deny").isEqualTo(2);
      assertThat(verifier.sum("otp_push_answers_total", "tenant", "acme", "outcome", "approved")).isEqualTo(1);
      assertThat(verifier.sum("otp_push_answers_total", "tenant", "acme", "outcome", "invalid_signature")).isEqualTo(1);
      assertThat(verifier.sum("otp_push_answers_total", "tenant", "acme", "outcome", "wrong_number")).isEqualTo(1);
      assertThat(verifier.sum("otp_push_answers_total", "tenant", "acme", "outcome", "denied")).isEqualTo(1);
      assertThat(verifier.sum("otp_push_tokens_pruned_total", "tenant", "acme", "platform", "apns")).isEqualTo(1);
      PrometheusText push = scrape("push-dispatcher");
      assertThat(push.sum("otp_push_sent_total", "platform", "apns", "kind", "notify", "outcome", "accepted")).isEqualTo(2);
      assertThat(push.sum("otp_push_sent_total", "platform", "apns", "kind", "notify", "outcome", "dead_token")).isEqualTo(1);
      assertThat(push.sum("otp_push_sent_total", "platform", "fcm", "kind", "notify", "outcome", "failed")).isEqualTo(1);
      assertThat(push.sum("otp_push_sent_total", "kind", "withdraw", "outcome", "accepted")).isGreaterThanOrEqualTo(1);
      assertThat(push.sum("otp_push_retries_total", "platform", "apns", "kind", "notify")).isEqualTo(1);
      assertThat(push.sum("otp_push_dead_letters_total", "platform", "fcm", "reason", "permanent")).isEqualTo(1);
      assertThat(push.sum("otp_push_tokens_dead_total", "platform", "apns", "reason", "Unregistered")).isEqualTo(1);
      assertThat(push.sum("otp_push_withdrawals_total", "platform", "apns")).isGreaterThanOrEqualTo(1);
      assertThat(push.sum("otp_push_provider_latency_seconds_count", "provider", "fcm", "platform", "fcm")).isGreaterThanOrEqualTo(2);
      assertThat(push.find("otp_push_retry_queue")).hasSize(1);
    });
  }

  @Test
  void theDispatcherShowsRetriesDeadLettersAndProviderLatency() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      PrometheusText dispatcher = scrape("sms-dispatcher");
      assertThat(dispatcher.sum("otp_dispatch_retries_total", "provider", "twilio")).isGreaterThanOrEqualTo(1);
      assertThat(dispatcher.sum("otp_dispatch_dead_letters_total", "provider", "twilio", "reason", "permanent"))
          .isGreaterThanOrEqualTo(1);
      assertThat(dispatcher.sum("otp_dead_letters_total", "topic", Topics.SMS_DISPATCH, "reason", "permanent"))
          .isGreaterThanOrEqualTo(1);
      assertThat(dispatcher.sum("otp_provider_latency_seconds_count", "provider", "twilio", "outcome", "accepted"))
          .isGreaterThanOrEqualTo(9);
      assertThat(dispatcher.sum("otp_provider_latency_seconds_count", "provider", "twilio", "outcome", "retryable"))
          .isGreaterThanOrEqualTo(1);
      assertThat(dispatcher.sum("otp_provider_latency_seconds_count", "provider", "twilio", "outcome", "permanent"))
          .isGreaterThanOrEqualTo(1);
      assertThat(dispatcher.find("otp_provider_latency_seconds_bucket", "outcome", "accepted"))
          .extracting(s -> s.labels().get("le")).contains("0.01", "1.0", "30.0", "+Inf");
    });
  }

  @Test
  void theGatewayCountsReceiptsAndRequestsByRoute() {
    PrometheusText gateway = scrape("gateway");
    assertThat(gateway.sum("otp_delivery_reports_total", "provider", "twilio", "state", "delivered", "tenant", "acme"))
        .isEqualTo(1);
    assertThat(gateway.sum("otp_delivery_reports_total", "provider", "twilio", "state", "undelivered", "tenant", "acme"))
        .isEqualTo(1);
    assertThat(gateway.sum("otp_http_requests_total", "route", "/v1/verifications", "status", "429")).isEqualTo(2);
    assertThat(gateway.sum("otp_http_requests_total", "route", "/webhooks/twilio/status", "status", "204")).isEqualTo(2);
    // Vert.x's own HTTP metrics, by route template (never the path, which carries an id).
    assertThat(gateway.find("vertx_http_server_response_time_seconds_count", "method", "POST"))
        .extracting(s -> s.labels().get("route")).anyMatch(route -> route.endsWith("/v1/verifications/:id/check"));
  }

  @Test
  void everyServiceShowsItsConsumerLagRedisCommandsAndJvm() {
    Map<String, PrometheusText> all = new LinkedHashMap<>();
    scrapes().forEach((service, text) -> all.put(service, PrometheusText.parse(text)));
    assertThat(all.get("gateway").find("otp_kafka_consumer_lag_records", "topic", Topics.REPLIES, "group", "none")).hasSize(1);
    assertThat(all.get("otp-issuer").find("otp_kafka_consumer_lag_records")).extracting(s -> s.labels().get("topic"))
        .containsExactlyInAnyOrder(Topics.ISSUER_REQUESTS, Topics.DELIVERY_REPORTS);
    assertThat(all.get("verifier").find("otp_kafka_consumer_lag_records", "topic", Topics.VERIFIER_REQUESTS, "group", "verifier"))
        .hasSize(1);
    assertThat(all.get("sms-dispatcher").find("otp_kafka_consumer_lag_records", "topic", Topics.SMS_DISPATCH)).hasSize(1);

    assertThat(all.get("otp-issuer").sum("otp_redis_commands_seconds_count", "command", "evalsha", "script", "send-limits",
        "outcome", "ok")).isGreaterThanOrEqualTo(10);
    // Three reservations: the first EVALSHA finds no script (noscript) and is sent again as EVAL.
    assertThat(all.get("otp-issuer").sum("otp_redis_commands_seconds_count", "script", "spend-cap", "outcome", "ok"))
        .isEqualTo(3);
    assertThat(all.get("verifier").sum("otp_redis_commands_seconds_count", "script", "check", "outcome", "ok"))
        .isGreaterThanOrEqualTo(11);
    // One lease per SMS sent (claim.lua), then marked sent (mark.lua).
    assertThat(all.get("sms-dispatcher").sum("otp_redis_commands_seconds_count", "script", "claim", "outcome", "ok"))
        .isGreaterThanOrEqualTo(9);
    all.forEach((service, text) -> {
      assertThat(text.find("jvm_memory_used_bytes")).as("JVM metrics of %s", service).isNotEmpty();
      assertThat(text.samples()).as("every sample of %s carries its service", service)
          .allSatisfy(s -> assertThat(s.labels().get(Metrics.TAG_SERVICE)).isEqualTo(service));
    });
  }

  // --- the spend cap --------------------------------------------------------------------------------

  @Test
  void theSpendCapStopsSendsAtTheCapAndReportsIt() {
    assertThat(cappedSends).extracting(TestPlatform.Reply::status).containsExactly(201, 201, 429);
    TestPlatform.Reply refused = cappedSends.get(2);
    assertThat(refused.body().getString("code")).isEqualTo("spend-cap-reached");
    assertThat(refused.body().getString("type")).isEqualTo("https://otpflow.dev/problems/spend-cap-reached");
    long untilMidnight = Duration.between(cappedAt,
        LocalDate.ofInstant(cappedAt, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC)).toSeconds();
    assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(untilMidnight - 60, untilMidnight + 1);
    // The refused send stored nothing and sent nothing.
    assertThat(p.twilio.messages()).extracting(FakeTwilio.ReceivedSms::to)
        .contains(cappedNumbers.get(0), cappedNumbers.get(1)).doesNotContain(cappedNumbers.get(2));

    PrometheusText issuer = scrape("otp-issuer");
    assertThat(issuer.sum("otp_spend_cap_refused_total", "tenant", "capped", "channel", "sms", "country_code", "44"))
        .isEqualTo(1);
    assertThat(issuer.one("otp_spend_cap_limit", "tenant", "capped", "currency", "USD").orElseThrow().value()).isEqualTo(0.10);
    assertThat(issuer.one("otp_spend_cap_spent", "tenant", "capped", "currency", "USD").orElseThrow().value())
        .isCloseTo(0.08, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(issuer.find("otp_spend_cap_limit", "tenant", "acme")).as("no cap, no gauge").isEmpty();
    assertThat(rateLimited.body().getString("code")).as("a send limit stays rate-limited").isEqualTo("rate-limited");
  }

  // --- the exposition itself ------------------------------------------------------------------------

  @Test
  void docsMetricsMdListsExactlyWhatTheServicesExpose() throws Exception {
    List<MetricsCatalogue.Entry> catalogue = MetricsCatalogue.read();
    assertThat(catalogue).as("catalogue rows in docs/metrics.md").hasSizeGreaterThan(20);
    Map<String, PrometheusText> byService = new LinkedHashMap<>();
    scrapes().forEach((service, text) -> byService.put(service, PrometheusText.parse(text)));
    SoftAssertions soft = new SoftAssertions();
    Map<String, MetricsCatalogue.Entry> documented = new LinkedHashMap<>();
    for (MetricsCatalogue.Entry entry : catalogue) {
      soft.assertThat(documented.put(entry.name(), entry)).as("%s is listed once", entry.name()).isNull();
      soft.assertThat(byService.keySet()).as("services named for %s", entry.name()).containsAll(entry.services());
      Set<String> exposing = new TreeSet<>();
      byService.forEach((service, text) -> {
        PrometheusText.Family family = text.families().get(entry.name());
        if (family == null) {
          return;
        }
        exposing.add(service);
        soft.assertThat(family.type()).as("type of %s on %s", entry.name(), service).isEqualTo(entry.type());
        soft.assertThat(family.help()).as("help text of %s on %s", entry.name(), service).isNotBlank();
        Set<String> labels = new TreeSet<>();
        family.samples().forEach(sample -> labels.addAll(sample.labels().keySet()));
        labels.removeAll(Set.of(Metrics.TAG_SERVICE, "le"));
        soft.assertThat(labels).as("labels of %s on %s", entry.name(), service)
            .containsExactlyInAnyOrderElementsOf(entry.labels());
      });
      soft.assertThat(exposing).as("services exposing %s after the flow (documented but never exposed?)", entry.name())
          .isNotEmpty();
      soft.assertThat(entry.services()).as("services documented for %s", entry.name()).containsAll(exposing);
    }
    byService.forEach((service, text) -> text.families().forEach((name, family) -> {
      if (!name.startsWith("otp_")) {
        return;
      }
      String histogram = name.endsWith("_max") ? name.substring(0, name.length() - 4) : null;
      boolean listed = documented.containsKey(name)
          || histogram != null && documented.containsKey(histogram) && documented.get(histogram).type().equals("histogram");
      soft.assertThat(listed).as("%s, exposed by %s, is in docs/metrics.md", name, service).isTrue();
    }));
    soft.assertAll();
  }

  /** What a phone number, a code, an account or an id would look like in a label value. */
  private static final List<Pattern> LOOKS_LIKE_AN_IDENTIFIER = List.of(
      Pattern.compile("VE[0-9a-f]{32}"),
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
      Pattern.compile("\\+[0-9]{4,}"),
      Pattern.compile("[0-9]{4,}"),
      Pattern.compile("[0-9a-fA-F]{16,}"));

  @Test
  void noLabelValueIsAPhoneNumberCodeAccountOrId() {
    assertThat(secrets).as("what the flow sent").hasSizeGreaterThan(20);
    SoftAssertions soft = new SoftAssertions();
    scrapes().forEach((service, text) -> {
      for (PrometheusText.Sample sample : PrometheusText.parse(text).samples()) {
        sample.labels().forEach((key, value) -> {
          if (key.equals("le") || key.equals("quantile")) {
            return; // bucket bounds are numbers by definition
          }
          for (String secret : secrets) {
            soft.assertThat(value).as("%s %s{%s} on %s", sample.name(), key, value, service).doesNotContain(secret);
          }
          for (Pattern pattern : LOOKS_LIKE_AN_IDENTIFIER) {
            soft.assertThat(pattern.matcher(value).find())
                .as("%s{%s=\"%s\"} on %s looks like %s", sample.name(), key, value, service, pattern).isFalse();
          }
        });
      }
    });
    soft.assertAll();
  }

  @Test
  void everyServicesExpositionPassesPromtool() throws Exception {
    for (Map.Entry<String, String> scrape : scrapes().entrySet()) {
      Promtool.Result result = Promtool.run(scrape.getValue(), "check", "metrics");
      assertThat(result.exitCode()).as("promtool check metrics on %s's /metrics:%n%s", scrape.getKey(), result.output())
          .isZero();
    }
  }
}
