package io.otpflow.sms;

import io.otpflow.common.retry.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.Metrics;
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
  private SimpleMeterRegistry metrics;
  private SmsDispatcher dispatcher;

  @BeforeAll
  static void start() {
    twilio = FakeTwilio.start();
    sender = new TwilioSmsSender(new TwilioConfig(twilio.accountSid(), twilio.authToken(), "+15005550006", null,
        URI.create(twilio.baseUrl()), Duration.ofSeconds(5), Duration.ofSeconds(20))); // generous: a busy machine is not a provider failure
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
    metrics = new SimpleMeterRegistry();
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
        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40)), clock, metrics);
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
  void transientFailuresAreRetriedFromTheQueueThenDeadLetteredWhenTheBudgetRunsOut() throws Exception {
    twilio.failNext(3, 503, null, null);
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    assertThat(twilio.requestCount()).as("the batch does not wait for the retry").isEqualTo(1);
    assertThat(queuedFor(d)).singleElement().asString().startsWith("2 ");
    while (!queuedFor(d).isEmpty()) {
      clock.advance(Duration.ofSeconds(1));
      runDue(d);
    }
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
  void aRetryWaitsAtLeastTheProvidersRetryAfterOnTheQueue() throws Exception {
    twilio.failNext(1, 429, 20429, 30);
    SmsDispatch d = dispatch("482913");
    dispatcher.dispatch(d);
    clock.advance(Duration.ofSeconds(29));
    assertThat(runDue(d)).as("not due before Retry-After").isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(runDue(d)).isEqualTo(1);
    assertThat(twilio.messages()).singleElement().satisfies(m -> assertThat(m.body()).contains("482913"));
    assertThat(reports).extracting(DeliveryReport::state).containsExactly("sent");
    assertThat(queuedFor(d)).isEmpty();
  }

  @Test
  void aLeaseLeftByADeadDispatcherIsTakenOverOnceItRunsOutAndSentOnce() throws Exception {
    SmsDispatch d = dispatch("482913");
    // What a dispatcher that died waiting for the provider leaves behind: its lease, phase calling.
    SmsClaims claims = new SmsClaims(redis);
    assertThat(claims.claim(d, "dead-owner", clock.instant(), Duration.ofSeconds(30), Duration.ofHours(1)))
        .isInstanceOf(SmsClaims.Claim.Claimed.class);
    assertThat(claims.calling(d, "dead-owner")).isTrue();

    dispatcher.dispatch(d); // redelivered while the lease still holds: parked on the queue until it ends
    assertThat(twilio.requestCount()).isZero();
    assertThat(queuedFor(d)).singleElement().asString().startsWith("1 ");
    assertThat(runDue(d)).isZero();

    clock.advance(Duration.ofSeconds(31));
    dispatcher.dispatch(d); // redelivered after the lease: taken over and sent
    assertThat(twilio.messages()).hasSize(1);
    assertThat(claims.state(d)).startsWith("sent:");
    assertThat(runDue(d)).as("the parked entry finds the send done").isEqualTo(1);
    assertThat(queuedFor(d)).isEmpty();
    assertThat(twilio.messages()).hasSize(1);
    assertThat(reports).extracting(DeliveryReport::state).containsOnly("sent");
    assertThat(metrics.counter(Metrics.SMS_LEASE_TAKEOVERS, Metrics.TAG_PROVIDER, "twilio").count()).isEqualTo(1);
    assertThat(metrics.counter(Metrics.SMS_POSSIBLE_DUPLICATES, Metrics.TAG_PROVIDER, "twilio").count()).isEqualTo(1);
  }

  @Test
  void aLeaseTakenBeforeTheProviderCallIsNotCountedAsAPossibleDuplicate() throws Exception {
    SmsDispatch d = dispatch("482913");
    new SmsClaims(redis).claim(d, "dead-owner", clock.instant(), Duration.ofSeconds(30), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(31));
    dispatcher.dispatch(d);
    assertThat(twilio.messages()).hasSize(1);
    assertThat(metrics.counter(Metrics.SMS_LEASE_TAKEOVERS, Metrics.TAG_PROVIDER, "twilio").count()).isEqualTo(1);
    assertThat(metrics.counter(Metrics.SMS_POSSIBLE_DUPLICATES, Metrics.TAG_PROVIDER, "twilio").count()).isZero();
  }

  @Test
  void aClaimOfTheEarlierAtMostOnceVersionIsTakenOver() throws Exception {
    SmsDispatch d = dispatch("482913");
    redis.set(io.otpflow.common.RedisKeys.smsSent(d.verificationId(), d.eventId()), "sending");
    dispatcher.dispatch(d);
    assertThat(twilio.messages()).hasSize(1);
    assertThat(reports).extracting(DeliveryReport::state).containsExactly("sent");
  }

  @Test
  void aSlowOwnerWhoseLeaseWasTakenOverCannotMarkItFailed() {
    SmsDispatch d = dispatch("482913");
    SmsClaims claims = new SmsClaims(redis);
    claims.claim(d, "slow", clock.instant(), Duration.ofSeconds(30), Duration.ofHours(1));
    clock.advance(Duration.ofSeconds(31));
    assertThat(claims.claim(d, "second", clock.instant(), Duration.ofSeconds(30), Duration.ofHours(1)))
        .isInstanceOf(SmsClaims.Claim.TakenOver.class);
    assertThat(claims.mark(d, "slow", "failed", Duration.ofHours(1))).isFalse();
    assertThat(claims.markSent(d, "SM1", Duration.ofHours(1))).as("an acceptance is a fact, whoever reports it").isTrue();
    assertThat(claims.markSent(d, "SM2", Duration.ofHours(1))).isFalse();
    assertThat(claims.state(d)).isEqualTo("sent:SM1");
  }

  /** This test's entries on the shared retry queue (other tests' entries are theirs). */
  private List<String> queuedFor(SmsDispatch d) {
    return redis.zrange(io.otpflow.common.RedisKeys.SMS_RETRIES, 0, -1).stream()
        .filter(m -> m.contains(d.eventId())).toList();
  }

  /** Runs this test's due entries as the retry worker would; returns how many ran. */
  private int runDue(SmsDispatch d) throws Exception {
    List<String> due = redis.zrangeByScore(io.otpflow.common.RedisKeys.SMS_RETRIES, 0, clock.instant().toEpochMilli())
        .stream().filter(m -> m.contains(d.eventId())).toList();
    for (String member : due) {
      dispatcher.retry(member);
    }
    return due.size();
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
