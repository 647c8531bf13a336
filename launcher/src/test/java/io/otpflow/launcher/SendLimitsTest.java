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

/** Send limits answer 429 with Retry-After; an Idempotency-Key makes a retried request send nothing new. */
class SendLimitsTest {
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  private static String smsTo(String to) {
    return "{\"to\": \"" + to + "\", \"channel\": \"sms\"}";
  }

  @Test
  void aSecondSendWithinThirtySecondsIsRefusedWithRetryAfter() {
    String to = TestPlatform.uniquePhone();
    p.sendSms(ACME_KEY, to);
    p.clock.advance(Duration.ofSeconds(10));
    TestPlatform.Reply refused = p.post("/v1/verifications", ACME_KEY, smsTo(to));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
    assertThat(refused.body().getString("code")).isEqualTo("rate-limited");
    assertThat(refused.header("retry-after")).isEqualTo("20");
    p.clock.advance(Duration.ofSeconds(20));
    assertThat(p.post("/v1/verifications", ACME_KEY, smsTo(to)).status()).isEqualTo(201);
  }

  @Test
  void fiveSendsPerNumberInTenMinutesThenRefusedUntilTheOldestLeavesTheWindow() {
    String to = TestPlatform.uniquePhone();
    for (int i = 0; i < 5; i++) {
      assertThat(p.post("/v1/verifications", ACME_KEY, smsTo(to)).status()).isEqualTo(201);
      p.clock.advance(Duration.ofSeconds(31));
    }
    TestPlatform.Reply sixth = p.post("/v1/verifications", ACME_KEY, smsTo(to));
    assertThat(sixth.status()).isEqualTo(429);
    // The first send leaves the 10-minute window 10 min after it was made: 5 × 31 s have passed since.
    long retryAfter = Long.parseLong(sixth.header("retry-after"));
    assertThat(retryAfter).isBetween(600L - 155 - 1, 600L - 155 + 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.twilio.messages().stream().filter(m -> m.to().equals(to)).count() == 5);
    p.clock.advance(Duration.ofSeconds(retryAfter));
    assertThat(p.post("/v1/verifications", ACME_KEY, smsTo(to)).status()).isEqualTo(201);
  }

  @Test
  void theIdempotencyKeyReturnsTheSameVerificationAndSendsNothingNew() {
    String to = TestPlatform.uniquePhone();
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    TestPlatform.Reply first = p.post("/v1/verifications", ACME_KEY, smsTo(to), key);
    assertThat(first.status()).isEqualTo(201);
    String id = first.body().getString("id");
    p.awaitCode(id);
    TestPlatform.Reply retried = p.post("/v1/verifications", ACME_KEY, smsTo(to), key);
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.header("idempotent-replayed")).isEqualTo("true");
    assertThat(retried.body().getString("id")).isEqualTo(id);
    // A different body under the same key is a client bug, refused rather than silently replayed.
    TestPlatform.Reply misuse = p.post("/v1/verifications", ACME_KEY, smsTo(TestPlatform.uniquePhone()), key);
    assertThat(misuse.status()).isEqualTo(422);
    assertThat(misuse.body().getString("code")).isEqualTo("idempotency-key-reused");
    // Still exactly one SMS for that number, and the replay did not count against the send limits.
    assertThat(p.twilio.messages().stream().filter(m -> m.to().equals(to)).count()).isEqualTo(1);
  }

  @Test
  void theEndUsersIpIsLimitedWhenTheCallerReportsIt() {
    String ip = "203.0.113." + (System.nanoTime() % 250);
    String body = "{\"to\": \"%s\", \"client_ip\": \"" + ip + "\"}";
    for (int i = 0; i < 3; i++) {
      assertThat(p.post("/v1/verifications", ACME_KEY, body.formatted(TestPlatform.uniquePhone())).status()).isEqualTo(201);
    }
    TestPlatform.Reply fourth = p.post("/v1/verifications", ACME_KEY, body.formatted(TestPlatform.uniquePhone()));
    assertThat(fourth.status()).isEqualTo(429);
    assertThat(fourth.body().getString("detail")).contains("ip limit");
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + TestPlatform.uniquePhone()
        + "\", \"client_ip\": \"not-an-ip\"}").status()).isEqualTo(400);
  }

  @Test
  void ipv6AddressesAreLimitedPerSlash64AndGarbageIsRefused() {
    String prefix = "2001:db8:" + Integer.toHexString((int) (System.nanoTime() & 0xffff)) + ":1";
    String body = "{\"to\": \"%s\", \"client_ip\": \"%s\"}";
    for (int i = 1; i <= 3; i++) {
      // Different addresses, and different spellings, of one /64.
      String ip = i == 2 ? prefix.toUpperCase() + ":0:0:0:" + i : prefix + "::" + i;
      assertThat(p.post("/v1/verifications", ACME_KEY, body.formatted(TestPlatform.uniquePhone(), ip)).status()).isEqualTo(201);
    }
    assertThat(p.post("/v1/verifications", ACME_KEY, body.formatted(TestPlatform.uniquePhone(), prefix + "::99")).status())
        .isEqualTo(429);
    for (String garbage : new String[] {"1::2::3", ":::", "ffff:ffff:ffff", "256.1.1.1", "example.com"}) {
      assertThat(p.post("/v1/verifications", ACME_KEY, body.formatted(TestPlatform.uniquePhone(), garbage)).status())
          .as(garbage).isEqualTo(400);
    }
  }

  @Test
  void anotherTenantsSendsDoNotCountAgainstThisTenantsLimits() {
    String to = TestPlatform.uniquePhone();
    p.sendSms(TestPlatform.OTHER_KEY, to);
    assertThat(p.post("/v1/verifications", ACME_KEY, smsTo(to)).status()).isEqualTo(201);
  }
}
