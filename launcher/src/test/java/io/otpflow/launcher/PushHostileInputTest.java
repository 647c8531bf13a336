package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisClient;

/**
 * Hostile input on the push endpoints: every refusal is a problem+json 4xx, and nothing is stored
 * in Redis and nothing is sent to APNs, FCM or Twilio. A platform of its own, so no other test's
 * pushes are in flight while Redis is compared.
 */
class PushHostileInputTest {
  static TestPlatform p;
  static RedisClient redis;
  static PhoneApp phone;
  static String pending;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
    redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
    String account = "target-" + System.nanoTime();
    phone = PhoneApp.android(p).register(ACME_KEY, account, "Pixel", "Pat");
    pending = p.post("/v1/verifications", ACME_KEY, new JsonObject().put("channel", "push").put("account", account)
        .encode()).body().getString("id");
    phone.awaitPush(pending);
    // Until its delivery report is applied the verification still changes; the tests compare it.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(
        () -> "sent".equals(p.get("/v1/verifications/" + pending, ACME_KEY).body().getString("delivery")));
  }

  @AfterAll
  static void stop() {
    redis.close();
    p.close();
  }

  static String push(String fields) {
    return new JsonObject("{\"channel\": \"push\", \"account\": \"eve\"}").mergeIn(new JsonObject(fields)).encode();
  }

  static Stream<Arguments> hostileSends() {
    return Stream.of(
        Arguments.of("{\"channel\": \"push\"}", "invalid-field"),
        Arguments.of(push("{\"to\": \"+14155552671\"}"), "invalid-field"),
        Arguments.of(push("{\"mode\": \"silent\"}"), "invalid-field"),
        Arguments.of(push("{\"mode\": 7}"), "invalid-field"),
        Arguments.of(push("{\"mode\": \"code\", \"number_matching\": true}"), "invalid-field"),
        Arguments.of(push("{\"number_matching\": \"yes\"}"), "invalid-field"),
        Arguments.of(push("{\"context\": \"" + "x".repeat(101) + "\"}"), "invalid-field"),
        Arguments.of(push("{\"context\": \"Berlin\\u0007\"}"), "invalid-field"),
        Arguments.of(push("{\"context\": \"Berlin \\u202eniltsoc\"}"), "invalid-field"),
        // Raw JSON: an encoder would turn a lone surrogate into '?' before it is sent.
        Arguments.of("{\"channel\": \"push\", \"account\": \"eve\", \"context\": \"Berlin \\ud800\"}", "invalid-field"),
        Arguments.of(push("{\"context\": \"your code is {code}\"}"), "invalid-field"),
        Arguments.of(push("{\"context\": \"   \"}"), "invalid-field"),
        Arguments.of(push("{\"context\": 42}"), "invalid-field"),
        Arguments.of(push("{\"factor_id\": \"FA" + "0".repeat(32) + "\"}"), "invalid-field"),
        Arguments.of(push("{\"account\": \"e v e\"}"), "invalid-field"),
        Arguments.of(push("{\"account\": [\"eve\"]}"), "invalid-field"),
        Arguments.of("{\"to\": \"+14155552671\", \"mode\": \"approve\"}", "invalid-field"),
        Arguments.of("{\"channel\": \"totp\", \"account\": \"eve\", \"context\": \"Berlin\"}", "invalid-field"),
        Arguments.of("{\"channel\": \"PUSH\", \"account\": \"eve\"}", "unsupported-channel"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileSends")
  void hostileSendsAreRefusedStoreNothingAndSendNothing(String body, String code) {
    assertRefusedQuietly(() -> p.post("/v1/verifications", ACME_KEY, body), 400, code);
  }

  static String answer(String fields) {
    return new JsonObject().put("device_id", "DV" + "0".repeat(32)).put("decision", "approve")
        .put("signature", Base64.getEncoder().encodeToString(new byte[70])).mergeIn(new JsonObject(fields)).encode();
  }

  static Stream<Arguments> hostileAnswers() {
    String id = "VE" + "0".repeat(32);
    String path = "/v1/verifications/" + id + "/answers";
    return Stream.of(
        Arguments.of("/v1/verifications/VE123/answers", answer("{}"), 404, "verification-not-found"),
        Arguments.of("/v1/verifications/../answers", answer("{}"), 401, "unauthorized"), // no such route: the API key rule
        Arguments.of(path, "{}", 400, "invalid-field"),
        Arguments.of(path, "[1]", 400, "invalid-json"),
        Arguments.of(path, "{\"device_id\": ", 400, "invalid-json"),
        Arguments.of(path, answer("{\"device_id\": \"FA" + "0".repeat(32) + "\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"device_id\": 7}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"decision\": \"maybe\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"decision\": null}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"decision\": \"APPROVE\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"number\": 5}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"number\": 100}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"number\": 42.5}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"number\": \"4x\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"number\": true}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": null}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": \"\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": \"not base64!!\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": \"" + "A".repeat(2000) + "\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": \"AAAA\"}"), 400, "invalid-field"),
        Arguments.of(path, answer("{\"signature\": 12345678901234}"), 400, "invalid-field"),
        Arguments.of(path, answer("{}"), 404, "verification-not-found"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("hostileAnswers")
  void hostileAnswersAreRefusedStoreNothingAndSendNothing(String path, String body, int status, String code) {
    assertRefusedQuietly(() -> p.post(path, null, body), status, code);
  }

  @Test
  void aWellFormedAnswerWithAForgedSignatureIsRefusedAndStoresNothing() {
    byte[] noise = new byte[71];
    new java.security.SecureRandom().nextBytes(noise);
    noise[0] = 0x30;
    assertRefusedQuietly(() -> phone.answer(null, pending, "approve", null, Base64.getEncoder().encodeToString(noise)),
        403, "invalid-signature");
    assertRefusedQuietly(() -> phone.answer(null, pending, "approve", null, Base64.getEncoder().encodeToString(new byte[64])),
        403, "invalid-signature");
    assertThat(p.get("/v1/verifications/" + pending, ACME_KEY).body().getInteger("attempts_left")).isEqualTo(5);
  }

  @Test
  void wrongMediaTypeHugeBodiesAndBadKeysAreRefused() {
    String path = "/v1/verifications/" + pending + "/answers";
    assertRefusedQuietly(() -> p.call(HttpRequest.newBuilder(URI.create(p.gatewayUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(answer("{}"))).build()),
        415, "unsupported-media-type");
    assertRefusedQuietly(() -> p.post(path, null, "{\"signature\": \"" + "A".repeat(1024 * 1024) + "\"}"), 413,
        "body-too-large");
    assertRefusedQuietly(() -> p.post(path, "wrong-key", answer("{}")), 401, "unauthorized");
    assertRefusedQuietly(() -> p.post("/v1/verifications", null, push("{}")), 401, "unauthorized");
  }

  @Test
  void unauthenticatedAnswersAreLimitedPerClientAddressWith429AndRetryAfter() throws Exception {
    try (TestPlatform limited = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(),
        java.util.Map.of("OTPFLOW_ANSWER_RATE_LIMIT", "3"))) {
      String path = "/v1/verifications/VE" + "0".repeat(32) + "/answers";
      double reached = answersSeenByVerifiers(limited); // both platforms' verifiers share the consumer group
      for (int i = 0; i < 3; i++) {
        assertThat(limited.post(path, null, answer("{}")).status()).isEqualTo(404);
      }
      TestPlatform.Reply refused = limited.post(path, null, answer("{}"));
      assertThat(refused.status()).as("%s", refused.body()).isEqualTo(429);
      assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
      assertThat(refused.body().getString("code")).isEqualTo("rate-limited");
      assertThat(Long.parseLong(refused.header("retry-after"))).as("3 a minute: one more in 20 s").isBetween(1L, 20L);
      assertThat(limited.post(path, null, answer("{}"), java.util.Map.of("x-forwarded-for", "203.0.113.9")).status())
          .as("X-Forwarded-For from a peer that is not a trusted proxy changes nothing").isEqualTo(429);
      assertThat(limited.post(path, null, "not even JSON").status()).as("limited before the body is looked at")
          .isEqualTo(429);
      assertThat(limited.post(path, ACME_KEY, answer("{}")).status())
          .as("with an API key it is the tenant's backend relaying: not this limit").isEqualTo(404);

      PrometheusText gateway = PrometheusText.parse(limited.getUrl(limited.gatewayMetricsUrl(), null).raw().body());
      assertThat(gateway.sum("otp_http_rate_limited_total", "route", "/v1/verifications/:id/answers")).isEqualTo(3);
      assertThat(answersSeenByVerifiers(limited) - reached).as("refused ones never reached a verifier").isEqualTo(4);
    }
  }

  private static double answersSeenByVerifiers(TestPlatform other) {
    double sum = 0;
    for (TestPlatform platform : java.util.List.of(p, other)) {
      sum += PrometheusText.parse(platform.getUrl("http://127.0.0.1:" + platform.platform.verifier().httpPort() + "/metrics",
          null).raw().body()).sum("otp_push_answers_total");
    }
    return sum;
  }

  private static void assertRefusedQuietly(java.util.function.Supplier<TestPlatform.Reply> call, int status, String code) {
    RedisSnapshot keys = RedisSnapshot.of(redis);
    int apns = p.apns.attempts().size();
    int fcm = p.fcm.requests().size();
    int sms = p.twilio.requestCount();
    String before = redis.hgetAll(io.otpflow.common.RedisKeys.verification(pending)).toString();
    TestPlatform.Reply r = call.get();
    assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/problem+json");
    assertThat(r.body().getString("code")).isEqualTo(code);
    assertThat(keys.newKeys(redis)).as("keys written to Redis").isEmpty();
    assertThat(redis.hgetAll(io.otpflow.common.RedisKeys.verification(pending)).toString()).isEqualTo(before);
    assertThat(p.apns.attempts()).hasSize(apns);
    assertThat(p.fcm.requests()).hasSize(fcm);
    assertThat(p.twilio.requestCount()).isEqualTo(sms);
  }
}
