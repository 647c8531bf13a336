package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.SecretBox;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * {@link SmsDispatcher} on a real Redis and, through the real Twilio SDK, {@link FakeTwilio}. The
 * outcomes port (delivery reports and dead letters) is recorded in memory here; the Kafka side of
 * it is covered by the end-to-end tests.
 */
class SmsDispatcherTest {
  private static final SecretBox BOX =
      new SecretBox(Map.of("t1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
  private static FakeTwilio twilio;
  private static TwilioSmsSender sender;
  private static RedisClient redis;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final List<DeliveryReport> reports = new CopyOnWriteArrayList<>();
  private final List<String> deadLetters = new CopyOnWriteArrayList<>();
  private volatile boolean failPublishing;
  private SmsDispatcher dispatcher;

  @BeforeAll
  static void start() {
    twilio = FakeTwilio.start();
    sender = new TwilioSmsSender(new TwilioConfig(twilio.accountSid(), twilio.authToken(), "+15005550006", null,
        URI.create(twilio.baseUrl()), Duration.ofSeconds(2), Duration.ofSeconds(3)));
    redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
  }

  @AfterAll
  static void stop() {
    redis.close();
    sender.close();
    twilio.close();
  }

  @BeforeEach
  void newDispatcher() {
    twilio.reset();
    dispatcher = dispatcher(URI.create("https://gw.example/webhooks/twilio/status"));
  }

  private SmsDispatcher dispatcher(URI callback) {
    SmsDispatcher.Outcomes outcomes = new SmsDispatcher.Outcomes() {
      @Override
      public void report(DeliveryReport report) {
        if (failPublishing) {
          throw new IllegalStateException("Kafka is down");
        }
        reports.add(report);
      }

      @Override
      public void deadLetter(SmsDispatch dispatch, String reason) {
        if (failPublishing) {
          throw new IllegalStateException("Kafka is down");
        }
        deadLetters.add(dispatch.verificationId() + " " + reason);
      }
    };
    return new SmsDispatcher(sender, BOX, redis, outcomes, callback, "+15005550006", null,
        new SmsDispatcher.RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40)), clock, new SimpleMeterRegistry());
  }

  private SmsDispatch dispatch(String code) {
    String id = "VE" + UUID.randomUUID().toString().replace("-", "");
    return new SmsDispatch(UUID.randomUUID().toString(), clock.instant(), "acme", id, "+14155550171",
        BOX.seal(code, id), "Acme: your code is {code}.", null, clock.instant().plus(Duration.ofMinutes(5)));
  }

  @Test
  void sendsTheOpenedCodeOnceAndReportsSent() throws Exception {
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    dispatcher.dispatch(d); // redelivered
    assertThat(twilio.messages()).hasSize(1);
    FakeTwilio.ReceivedSms sms = twilio.messages().get(0);
    assertThat(sms.body()).isEqualTo("Acme: your code is 482913.");
    assertThat(sms.validityPeriod()).isEqualTo(300);
    assertThat(sms.statusCallback()).isEqualTo(
        "https://gw.example/webhooks/twilio/status?v=" + d.verificationId() + "&t=acme");
    // The second delivery re-publishes "sent", in case the first report was what got lost.
    assertThat(reports).extracting(DeliveryReport::state).containsExactly("sent", "sent");
    assertThat(reports).extracting(DeliveryReport::providerMessageId).containsOnly(sms.sid());
  }

  @Test
  void aRedeliveryAfterTheCodeExpiredIsNotReportedAsFailed() throws Exception {
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    clock.advance(Duration.ofMinutes(6));
    dispatcher.dispatch(d);
    assertThat(reports).extracting(DeliveryReport::state).containsOnly("sent");
  }

  @Test
  void anEventThatExpiredBeforeItsFirstDeliveryIsDroppedAndReported() throws Exception {
    SmsDispatch d = dispatch("482913");
    clock.advance(Duration.ofMinutes(6));
    dispatcher.dispatch(d);
    assertThat(twilio.requestCount()).isZero();
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.state()).isEqualTo("failed");
      assertThat(r.reason()).isEqualTo("expired-before-send");
    });
  }

  @Test
  void aFreshDispatchForTheSameVerificationIsNotBlockedByTheOldClaim() throws Exception {
    SmsDispatch first = dispatch("111111");
    dispatcher.dispatch(first);
    SmsDispatch again = new SmsDispatch(UUID.randomUUID().toString(), clock.instant(), "acme", first.verificationId(),
        first.to(), BOX.seal("222222", first.verificationId()), first.template(), null, first.expiresAt());
    dispatcher.dispatch(again);
    assertThat(twilio.messages()).extracting(FakeTwilio.ReceivedSms::body)
        .containsExactly("Acme: your code is 111111.", "Acme: your code is 222222.");
  }

  @Test
  void aCodeSealedForAnotherVerificationIsAPoisonEvent() {
    SmsDispatch d = dispatch("482913");
    SmsDispatch moved = new SmsDispatch(d.eventId(), d.occurredAt(), d.tenant(), "VE" + "0".repeat(32), d.to(),
        d.code(), d.template(), null, d.expiresAt());
    assertThatThrownBy(() -> dispatcher.dispatch(moved)).isInstanceOf(MalformedEventException.class);
    assertThat(twilio.requestCount()).isZero();
  }

  @Test
  void transientFailuresAreRetriedThenDeadLetteredWhenTheBudgetRunsOut() throws Exception {
    twilio.failNext(3, 503, null, null);
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    assertThat(twilio.requestCount()).isEqualTo(3);
    assertThat(deadLetters).singleElement().asString().contains("retries-exhausted");
    assertThat(reports).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo("failed"));
    dispatcher.dispatch(d); // redelivered: the outcome is final, nothing is sent or published again
    assertThat(twilio.requestCount()).isEqualTo(3);
    assertThat(reports).hasSize(1);
  }

  @Test
  void aFailureWhoseOutcomeCannotBePublishedIsRetriedNotLost() throws Exception {
    twilio.failNext(1, 400, 21211, null);
    SmsDispatch d = dispatch("482913");
    failPublishing = true;
    assertThatThrownBy(() -> dispatcher.dispatch(d)).hasMessageContaining("Kafka is down");
    failPublishing = false;
    twilio.failNext(1, 400, 21211, null);
    dispatcher.dispatch(d); // the consumer loop redelivers it
    assertThat(deadLetters).singleElement().asString().contains("21211");
    assertThat(reports).singleElement().satisfies(r -> assertThat(r.errorCode()).isEqualTo("21211"));
    assertThat(twilio.messages()).isEmpty();
  }

  @Test
  void theCallbackKeepsAConfiguredQueryAndFragment() throws Exception {
    dispatcher = dispatcher(URI.create("https://gw.example/webhooks/twilio/status?src=otp#rc=2"));
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    assertThat(twilio.messages().get(0).statusCallback()).isEqualTo(
        "https://gw.example/webhooks/twilio/status?src=otp&v=" + d.verificationId() + "&t=acme#rc=2");
  }
}
