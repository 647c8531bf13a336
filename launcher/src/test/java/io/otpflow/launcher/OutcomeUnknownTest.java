package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * A send the gateway cannot confirm in time says so: {@code 503 outcome-unknown} with the
 * verification's id and its Location. The id is then readable with GET, and a retry with the same
 * Idempotency-Key gets that very verification; the code goes out once.
 */
class OutcomeUnknownTest {
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    // The gateway waits 1 s; Redis may keep a command waiting far longer before the services give up on it.
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(),
        Map.of("OTPFLOW_REQUEST_TIMEOUT", "1s", "REDIS_COMMAND_TIMEOUT", "15s"));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void anUnconfirmedSendAnswers503WithItsIdWhichGetAndAKeyedRetryThenFind() {
    String to = TestPlatform.uniquePhone();
    String body = "{\"to\": \"" + to + "\"}";
    Map<String, String> key = Map.of("idempotency-key", "outcome-" + UUID.randomUUID());
    TestPlatform.Reply unknown;
    try (Jedis admin = new Jedis(RedisFixture.shared().host(), RedisFixture.shared().port())) {
      // The issuer takes the request, then its writes wait for Redis longer than the gateway waits for it.
      admin.clientPause(4000, ClientPauseMode.WRITE);
      unknown = p.post("/v1/verifications", ACME_KEY, body, key);
    }
    assertThat(unknown.status()).as(unknown.body().encode()).isEqualTo(503);
    assertThat(unknown.header("content-type")).startsWith("application/problem+json");
    assertThat(unknown.body().getString("type")).isEqualTo("https://otpflow.dev/problems/outcome-unknown");
    assertThat(unknown.body().getString("code")).isEqualTo("outcome-unknown");
    String id = unknown.body().getString("verification_id");
    assertThat(id).matches("VE[0-9a-f]{32}");
    assertThat(unknown.header("location")).isEqualTo("/v1/verifications/" + id);

    // A GET is ordered behind the send (both keyed by the id): it finds the verification, or 404 means it never starts.
    TestPlatform.Reply status = await().atMost(Duration.ofSeconds(60))
        .until(() -> p.get("/v1/verifications/" + id, ACME_KEY), r -> r.status() == 200 || r.status() == 404);
    if (status.status() == 200) {
      assertThat(status.body().getString("id")).isEqualTo(id);
    }

    TestPlatform.Reply retry = p.post("/v1/verifications", ACME_KEY, body, key);
    assertThat(retry.status()).as(retry.body().encode()).isIn(200, 201);
    assertThat(retry.body().getString("id")).as("the retry gets the verification the 503 named").isEqualTo(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> p.smsCountFor(id) == 1);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> p.get("/v1/verifications/" + id, ACME_KEY).body().getString("delivery"), "sent"::equals);
    assertThat(p.smsCountFor(id)).isEqualTo(1);
    assertThat(p.twilio.messages().stream().filter(m -> m.to().equals(to)).count()).isEqualTo(1);
  }

  @Test
  void withoutAnIdempotencyKeyTheIdStillTellsWhetherToSendAgain() {
    String to = TestPlatform.uniquePhone();
    TestPlatform.Reply unknown;
    try (Jedis admin = new Jedis(RedisFixture.shared().host(), RedisFixture.shared().port())) {
      admin.clientPause(4000, ClientPauseMode.WRITE);
      unknown = p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + to + "\"}");
    }
    assertThat(unknown.status()).as(unknown.body().encode()).isEqualTo(503);
    assertThat(unknown.body().getString("code")).isEqualTo("outcome-unknown");
    String id = unknown.body().getString("verification_id");
    assertThat(unknown.header("location")).isEqualTo("/v1/verifications/" + id);
    TestPlatform.Reply status = await().atMost(Duration.ofSeconds(60))
        .until(() -> p.get("/v1/verifications/" + id, ACME_KEY), r -> r.status() == 200 || r.status() == 404);
    if (status.status() == 200) {
      // It exists: the caller does not send again, and the one code goes out.
      await().atMost(Duration.ofSeconds(30)).until(() -> p.smsCountFor(id) == 1);
    } else {
      // It never started, and never will: sending again is safe.
      assertThat(p.smsCountFor(id)).isZero();
    }
  }
}
