package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static io.otpflow.launcher.TestPlatform.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisClient;

/** Malformed, oversized and hostile input gets a clear 4xx and changes nothing: no SMS, no Redis key. */
class HostileInputTest {
  static TestPlatform p;
  static RedisClient redis;

  @BeforeAll
  static void start() throws Exception {
    RedisFixture r = RedisFixture.shared();
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), r.uri());
    redis = RedisClient.create(r.host(), r.port());
  }

  @AfterAll
  static void stop() {
    redis.close();
    p.close();
  }

  static Stream<Arguments> badSends() {
    String phone = "+14155552671";
    return Stream.of(
        Arguments.of("not JSON", "{\"to\": ", 400, "invalid-json"),
        Arguments.of("JSON array", "[1, 2]", 400, "invalid-json"),
        Arguments.of("JSON string", "\"hello\"", 400, "invalid-json"),
        Arguments.of("to is a number", "{\"to\": 14155552671, \"channel\": \"sms\"}", 400, "invalid-field"),
        Arguments.of("to missing", "{\"channel\": \"sms\"}", 400, "invalid-field"),
        Arguments.of("channel is an object", "{\"to\": \"" + phone + "\", \"channel\": {}}", 400, "invalid-field"),
        Arguments.of("unknown channel", "{\"to\": \"" + phone + "\", \"channel\": \"pigeon\"}", 400, "unsupported-channel"),
        Arguments.of("invalid number", "{\"to\": \"+1234\", \"channel\": \"sms\"}", 400, "invalid-phone-number"),
        Arguments.of("letters as number", "{\"to\": \"+1415CALLNOW\", \"channel\": \"sms\"}", 400, "invalid-phone-number"),
        Arguments.of("premium-rate garbage", "{\"to\": \"+999999999999\", \"channel\": \"sms\"}", 400, "invalid-phone-number"),
        Arguments.of("national without country", "{\"to\": \"4155552671\", \"channel\": \"sms\", \"country\": \"XX\"}", 400, "invalid-phone-number"),
        Arguments.of("account with control chars", "{\"to\": \"" + phone + "\", \"account\": \"a\\u0000b\"}", 400, "invalid-field"),
        Arguments.of("account too long", "{\"to\": \"" + phone + "\", \"account\": \"" + "a".repeat(129) + "\"}", 400, "invalid-field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSends")
  void badSendsAreRefusedAndChangeNothing(String name, String body, int status, String code) {
    RedisSnapshot keys = RedisSnapshot.of(redis);
    int requests = p.twilio.requestCount();
    TestPlatform.Reply r = p.post("/v1/verifications", ACME_KEY, body);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/problem+json");
    assertThat(r.body().getString("code")).isEqualTo(code);
    assertThat(r.body().getInteger("status")).isEqualTo(status);
    assertThat(keys.newKeys(redis)).as("keys written to Redis").isEmpty();
    assertThat(p.twilio.requestCount()).isEqualTo(requests);
  }

  @Test
  void aTenMegabyteBodyIsRefusedWith413() {
    RedisSnapshot keys = RedisSnapshot.of(redis);
    String huge = "{\"to\": \"" + "9".repeat(10 * 1024 * 1024) + "\"}";
    TestPlatform.Reply r = p.post("/v1/verifications", ACME_KEY, huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body().getString("code")).isEqualTo("body-too-large");
    assertThat(keys.newKeys(redis)).as("keys written to Redis").isEmpty();
  }

  @Test
  void wrongContentTypeAndMissingOrWrongKeysAreRefused() {
    HttpRequest form = HttpRequest.newBuilder(URI.create(p.gatewayUrl() + "/v1/verifications"))
        .timeout(Duration.ofSeconds(10))
        .header("authorization", "Bearer " + ACME_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("to=%2B14155552671")).build();
    assertThat(p.call(form).status()).isEqualTo(415);
    String body = "{\"to\": \"+14155552671\", \"channel\": \"sms\"}";
    assertThat(p.post("/v1/verifications", null, body).status()).isEqualTo(401);
    TestPlatform.Reply wrongKey = p.post("/v1/verifications", "not-a-key", body);
    assertThat(wrongKey.status()).isEqualTo(401);
    assertThat(wrongKey.header("www-authenticate")).startsWith("Bearer");
    assertThat(p.post("/v1/verifications", "", body, Map.of("authorization", "Basic Zm9vOmJhcg==")).status()).isEqualTo(401);
  }

  @Test
  void badChecksAreRefusedAndSpendNoAttempt() {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    p.awaitCode(id);
    String path = "/v1/verifications/" + id + "/check";
    assertThat(p.post(path, ACME_KEY, "{\"code\": 123456}").body().getString("code")).isEqualTo("invalid-code");
    assertThat(p.post(path, ACME_KEY, "{\"code\": \"12ab56\"}").body().getString("code")).isEqualTo("invalid-code");
    assertThat(p.post(path, ACME_KEY, "{\"code\": \"" + "1".repeat(11) + "\"}").status()).isEqualTo(400);
    assertThat(p.post(path, ACME_KEY, "{}").status()).isEqualTo(400);
    assertThat(p.post(path, ACME_KEY, "{\"code\": ").body().getString("code")).isEqualTo("invalid-json");
    assertThat(p.post("/v1/verifications/../../etc/passwd/check", ACME_KEY, "{\"code\": \"123456\"}").status()).isEqualTo(404);
    assertThat(p.post("/v1/verifications/VEnothex/check", ACME_KEY, "{\"code\": \"123456\"}").status()).isEqualTo(404);
    assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getInteger("attempts_left")).isEqualTo(5);
  }

  @Test
  void anotherTenantCannotReadOrCheckAVerification() {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    TestPlatform.Reply read = p.get("/v1/verifications/" + id, OTHER_KEY);
    assertThat(read.status()).isEqualTo(404);
    assertThat(read.body().getString("code")).isEqualTo("verification-not-found");
    TestPlatform.Reply check = p.check(OTHER_KEY, id, code);
    assertThat(check.status()).isEqualTo(404);
    // The other tenant's attempts changed nothing: the owner still has all attempts and the code still works.
    assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getInteger("attempts_left")).isEqualTo(5);
    assertThat(p.check(ACME_KEY, id, code).body().getString("status")).isEqualTo("approved");
  }

  @Test
  void unknownVerificationsAndRoutesAre404() {
    assertThat(p.get("/v1/verifications/VE" + "0".repeat(32), ACME_KEY).status()).isEqualTo(404);
    assertThat(p.check(ACME_KEY, "VE" + "0".repeat(32), "123456").status()).isEqualTo(404);
    assertThat(p.get("/nothing-here", null).status()).isEqualTo(404);
    assertThat(p.get("/dev/outbox", null).status()).isEqualTo(404); // only exists in development mode
    assertThat(p.get("/dev/outbox.html", null).status()).isEqualTo(404);
    assertThat(p.post("/dev/devices", null, "{}").status()).isEqualTo(404);
    assertThat(p.post("/dev/answers", null, "{}").status()).isEqualTo(404);
  }

  @Test
  void forgedTwilioCallbacksAreRejected() {
    String url = p.gatewayUrl() + "/webhooks/twilio/status?v=VE" + "0".repeat(32) + "&t=acme";
    HttpRequest unsigned = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("MessageSid=SM1&MessageStatus=delivered")).build();
    assertThat(p.call(unsigned).status()).isEqualTo(403);
    HttpRequest badlySigned = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", "bm90IGEgc2lnbmF0dXJl")
        .POST(HttpRequest.BodyPublishers.ofString("MessageSid=SM1&MessageStatus=delivered")).build();
    assertThat(p.call(badlySigned).status()).isEqualTo(403);
  }
}
