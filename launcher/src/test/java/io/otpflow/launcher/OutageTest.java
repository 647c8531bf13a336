package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.embedded.KafkaBroker;
import io.otpflow.testing.RedisFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis or Kafka going away: checks fail closed and the gateway answers 503 within its deadline;
 * both recover by themselves when the dependency returns. This class has its own broker (a child
 * JVM it can stop) and its own Redis, so the outages touch no other test.
 */
class OutageTest {
  @TempDir static Path dir;
  static KafkaBroker kafka;
  static RedisFixture redis;
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaBroker.start(dir.resolve("kafka"), 0);
    redis = RedisFixture.startPrivate();
    p = TestPlatform.start(kafka.bootstrapServers(), redis.uri(), Map.of("OTPFLOW_REQUEST_TIMEOUT", "3s"));
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
    redis.close();
    kafka.close();
  }

  @Test
  void withRedisDownChecksNeverApproveAndAnswer503QuicklyThenRecover() {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    redis.stop();
    try {
      long started = System.nanoTime();
      TestPlatform.Reply check = p.check(ACME_KEY, id, code);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(check.status()).isEqualTo(503);
      assertThat(check.body().getString("code")).isEqualTo("platform-unavailable");
      // Not a timing test: the HTTP client waits 15 s, so an answer well before that shows the gateway
      // answered by its 3 s deadline (or sooner) instead of hanging on Redis.
      assertThat(millis).as("answered by the request deadline, not hanging").isLessThan(10_000);
      TestPlatform.Reply send = p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + TestPlatform.uniquePhone() + "\"}");
      assertThat(send.status()).isEqualTo(503);
    } finally {
      redis.start();
    }
    // Redis is back (empty: this one keeps no data), and so is the platform, with no restart of any service.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      String again = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
      assertThat(p.check(ACME_KEY, again, p.awaitCode(again)).body().getString("status")).isEqualTo("approved");
    });
  }

  @Test
  void withKafkaDownTheGatewayAnswers503WithinItsDeadlineThenRecovers() {
    kafka.stop();
    try {
      long started = System.nanoTime();
      TestPlatform.Reply send = p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + TestPlatform.uniquePhone() + "\"}");
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(send.status()).isEqualTo(503);
      assertThat(send.header("content-type")).isEqualTo("application/problem+json");
      // Not a timing test: the HTTP client waits 15 s, so an answer well before that shows the gateway
      // answered by its 3 s deadline (or sooner) instead of hanging on Redis.
      assertThat(millis).as("answered by the request deadline, not hanging").isLessThan(10_000);
      assertThat(p.get("/health/ready", null).status()).isEqualTo(503);
    } finally {
      kafka.restart();
    }
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
      assertThat(p.check(ACME_KEY, id, p.awaitCode(id)).body().getString("status")).isEqualTo("approved");
    });
    assertThat(p.get("/health/ready", null).status()).isEqualTo(200);
  }
}
