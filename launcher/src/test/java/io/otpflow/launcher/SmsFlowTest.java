package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SMS login flow end to end: gateway → Kafka → issuer → Kafka → dispatcher → (fake) Twilio → check. */
class SmsFlowTest {
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void theCodeFromTheSmsApprovesOnceAndDeliveryIsTracked() {
    String to = TestPlatform.uniquePhone();
    TestPlatform.Reply created = p.post("/v1/verifications", ACME_KEY, "{\"to\": \"" + to + "\", \"channel\": \"sms\"}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().getString("status")).isEqualTo("pending");
    assertThat(created.body().getString("channel")).isEqualTo("sms");
    assertThat(created.body().getString("to")).isNotEqualTo(to).startsWith("+141").endsWith(to.substring(to.length() - 2));
    assertThat(created.body().getString("expires_at")).isNotBlank();
    String id = created.body().getString("id");

    String code = p.awaitCode(id);
    FakeTwilio.ReceivedSms sms = p.smsFor(id).orElseThrow();
    assertThat(sms.to()).isEqualTo(to);
    assertThat(sms.from()).isEqualTo("+15005550006");
    assertThat(sms.body()).startsWith("Acme: your verification code is ");
    assertThat(code).hasSize(6);

    TestPlatform.Reply approved = p.check(ACME_KEY, id, code);
    assertThat(approved.status()).isEqualTo(200);
    assertThat(approved.body().getString("status")).isEqualTo("approved");

    TestPlatform.Reply again = p.check(ACME_KEY, id, code);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().getString("code")).isEqualTo("verification-not-pending");

    // Twilio reports "sent" as accepted, then the handset's delivery receipt arrives through the webhook.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getString("delivery")).isEqualTo("sent"));
    assertThat(p.twilio.sendStatusCallback(sms, "delivered", null).join()).isEqualTo(204);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      TestPlatform.Reply status = p.get("/v1/verifications/" + id, ACME_KEY);
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.body().getString("delivery")).isEqualTo("delivered");
      assertThat(status.body().getString("status")).isEqualTo("approved");
    });
  }

  @Test
  void wrongCodesCountDownThenLock() {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    String wrong = code.equals("000000") ? "111111" : "000000";
    for (int left = 4; left >= 1; left--) {
      TestPlatform.Reply denied = p.check(ACME_KEY, id, wrong);
      assertThat(denied.status()).isEqualTo(200);
      assertThat(denied.body().getString("status")).isEqualTo("denied");
      assertThat(denied.body().getInteger("attempts_left")).isEqualTo(left);
    }
    assertThat(p.check(ACME_KEY, id, wrong).body().getString("status")).isEqualTo("locked");
    // Locked means locked: not even the right code gets through now.
    assertThat(p.check(ACME_KEY, id, code).body().getString("status")).isEqualTo("locked");
    assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getString("status")).isEqualTo("locked");
  }

  @Test
  void anExpiredCodeIsRefused() {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    p.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    TestPlatform.Reply expired = p.check(ACME_KEY, id, code);
    assertThat(expired.status()).isEqualTo(200);
    assertThat(expired.body().getString("status")).isEqualTo("expired");
    assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getString("status")).isEqualTo("expired");
  }

  @Test
  void aHundredConcurrentChecksOfTheRightCodeApproveExactlyOnce() throws Exception {
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    List<Future<TestPlatform.Reply>> replies = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 100; i++) {
        replies.add(pool.submit(() -> p.check(ACME_KEY, id, code)));
      }
    }
    int approved = 0;
    for (Future<TestPlatform.Reply> f : replies) {
      TestPlatform.Reply r = f.get();
      assertThat(r.status()).isIn(200, 409);
      if (r.status() == 200 && "approved".equals(r.body().getString("status"))) {
        approved++;
      }
    }
    assertThat(approved).isEqualTo(1);
  }

  @Test
  void aNewSendVoidsThePendingCodeForTheSameNumber() {
    String to = TestPlatform.uniquePhone();
    String first = p.sendSms(ACME_KEY, to);
    String oldCode = p.awaitCode(first);
    p.clock.advance(Duration.ofSeconds(31)); // past the minimum interval between sends
    String second = p.sendSms(ACME_KEY, to);
    String newCode = p.awaitCode(second);
    TestPlatform.Reply old = p.check(ACME_KEY, first, oldCode);
    assertThat(old.status()).isEqualTo(409);
    assertThat(old.body().getString("detail")).contains("canceled");
    assertThat(p.check(ACME_KEY, second, newCode).body().getString("status")).isEqualTo("approved");
  }

  @Test
  void consecutiveFailuresLockTheAccountWithAGrowingDelayAndAnApprovalThatProvesNothingKeepsTheCount() {
    String account = "alice-" + System.nanoTime();
    String send = "{\"to\": \"%s\", \"channel\": \"sms\", \"account\": \"" + account + "\"}";
    String first = p.post("/v1/verifications", ACME_KEY, send.formatted(TestPlatform.uniquePhone())).body().getString("id");
    String code = p.awaitCode(first);
    String wrong = code.equals("000000") ? "111111" : "000000";
    assertThat(p.check(ACME_KEY, first, wrong).body().getString("status")).isEqualTo("denied");
    assertThat(p.check(ACME_KEY, first, wrong).body().getString("status")).isEqualTo("denied");
    TestPlatform.Reply third = p.check(ACME_KEY, first, wrong); // threshold 3 for tenant acme
    assertThat(third.body().getString("status")).isEqualTo("locked");
    assertThat(third.body().getLong("retry_after_seconds")).isEqualTo(60);
    assertThat(third.header("retry-after")).isEqualTo("60");

    // A fresh verification for the same account is refused while the lock lasts, without spending attempts.
    String second = p.post("/v1/verifications", ACME_KEY, send.formatted(TestPlatform.uniquePhone())).body().getString("id");
    String secondCode = p.awaitCode(second);
    assertThat(p.check(ACME_KEY, second, secondCode).body().getString("status")).isEqualTo("locked");
    assertThat(p.get("/v1/verifications/" + second, ACME_KEY).body().getInteger("attempts_left")).isEqualTo(5);

    p.clock.advance(Duration.ofSeconds(61));
    // One more failure after the lock doubles the delay.
    TestPlatform.Reply fourth = p.check(ACME_KEY, second, wrong.equals(secondCode) ? "222222" : wrong);
    assertThat(fourth.body().getString("status")).isEqualTo("locked");
    assertThat(fourth.body().getLong("retry_after_seconds")).isEqualTo(120);
    p.clock.advance(Duration.ofSeconds(121));
    assertThat(p.check(ACME_KEY, second, secondCode).body().getString("status")).isEqualTo("approved");

    // That approval was an SMS to a number the caller chose, not one of the account's phones: it proves
    // nothing about the account, so it does not reset the count (or whoever guesses could reset the
    // lock with a number of their own). The next failure is the fifth: locked for 4 minutes. A success
    // through one of the account's own factors does reset it (verifier's AccountLockTest).
    p.clock.advance(Duration.ofSeconds(31));
    String third2 = p.post("/v1/verifications", ACME_KEY, send.formatted(TestPlatform.uniquePhone())).body().getString("id");
    String code3 = p.awaitCode(third2);
    TestPlatform.Reply fifth = p.check(ACME_KEY, third2, code3.equals("000000") ? "111111" : "000000");
    assertThat(fifth.body().getString("status")).isEqualTo("locked");
    assertThat(fifth.body().getLong("retry_after_seconds")).isEqualTo(240);
  }
}
