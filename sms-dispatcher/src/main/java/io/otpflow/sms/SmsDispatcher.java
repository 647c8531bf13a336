package io.otpflow.sms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Metrics;
import io.otpflow.common.PhoneMask;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

/**
 * Sends one dispatch event's SMS at most once: a claim in Redis (SET NX) is taken before the
 * provider call and turned into "sent" or "failed" after it, so a redelivered event finds the claim
 * and sends nothing. Transient provider failures are retried here with exponential backoff and
 * jitter (honouring Retry-After) within a bounded budget; permanent ones are dead-lettered.
 */
final class SmsDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SmsDispatcher.class);
  private static final Duration MAX_WAIT = Duration.ofSeconds(30);

  /** Where outcomes go: delivery reports for the issuer, dead letters with a reason. */
  interface Outcomes {
    void report(DeliveryReport report) throws Exception;

    void deadLetter(SmsDispatch dispatch, String reason) throws Exception;
  }

  /** Retry budget: attempts, first delay, longest delay. */
  record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay) {
    static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8));
  }

  private final SmsSender sender;
  private final SecretBox box;
  private final UnifiedJedis redis;
  private final Outcomes outcomes;
  private final URI statusCallback;
  private final String defaultFrom;
  private final String messagingServiceSid;
  private final RetryPolicy retry;
  private final Clock clock;
  private final MeterRegistry metrics;

  SmsDispatcher(
      SmsSender sender, SecretBox box, UnifiedJedis redis, Outcomes outcomes, URI statusCallback, String defaultFrom,
      String messagingServiceSid, RetryPolicy retry, Clock clock, MeterRegistry metrics) {
    this.sender = sender;
    this.box = box;
    this.redis = redis;
    this.outcomes = outcomes;
    this.statusCallback = statusCallback;
    this.defaultFrom = defaultFrom;
    this.messagingServiceSid = messagingServiceSid;
    this.retry = retry;
    this.clock = clock;
    this.metrics = metrics;
  }

  void dispatch(SmsDispatch d) throws Exception {
    Instant now = clock.instant();
    String claimKey = RedisKeys.smsSent(d.verificationId(), d.eventId());
    String earlier = redis.get(claimKey);
    if (earlier != null) {
      redelivered(d, earlier);
      return;
    }
    if (!now.isBefore(d.expiresAt())) {
      LOG.info("Dropping the SMS of verification {}: its code expired before it could be sent.", d.verificationId());
      report(d, "failed", null, null, "expired-before-send");
      return;
    }
    String code = box.open(d.code(), d.verificationId()); // throws MalformedEventException: dead letter
    // The claim outlives the code, so no redelivery within the code's lifetime can send it again.
    Duration keep = Duration.between(now, d.expiresAt()).plus(Duration.ofHours(1));
    String claimed = redis.set(claimKey, "sending", SetParams.setParams().nx().px(keep.toMillis()));
    if (!"OK".equals(claimed)) {
      redelivered(d, redis.get(claimKey)); // another dispatcher claimed it a moment ago
      return;
    }
    SmsMessage message =
        new SmsMessage(
            d.verificationId(), d.to(), d.sender() != null ? d.sender() : defaultFrom,
            d.sender() != null ? null : messagingServiceSid, d.template().replace("{code}", code),
            Duration.between(now, d.expiresAt()), callbackFor(d));
    SendOutcome outcome = sendWithRetries(message, d.expiresAt());
    switch (outcome) {
      case SendOutcome.Accepted a -> {
        redis.set(claimKey, "sent:" + a.providerMessageId(), SetParams.setParams().px(keep.toMillis()));
        count(d, "accepted");
        LOG.info("Sent the SMS of verification {} to {} via {}.", d.verificationId(), PhoneMask.mask(d.to()), sender.provider());
        report(d, "sent", a.providerMessageId(), null, null);
      }
      case SendOutcome.Permanent p -> fail(d, claimKey, keep, p.errorCode(), "permanent: provider error " + p.errorCode());
      case SendOutcome.Retryable r -> fail(d, claimKey, keep, null, "retries-exhausted: " + r.reason());
    }
  }

  /** The event was seen before: send nothing, but make sure a "sent" outcome was reported. */
  private void redelivered(SmsDispatch d, String state) throws Exception {
    LOG.info("Not sending the SMS of verification {} again: it is already {}.", d.verificationId(),
        state == null ? "gone" : state.replaceFirst(":.*", ""));
    if (state != null && state.startsWith("sent:")) {
      // The report may be what failed last time; the issuer applies it idempotently.
      report(d, "sent", state.substring(5), null, null);
    }
  }

  private SendOutcome sendWithRetries(SmsMessage message, Instant expiresAt) throws InterruptedException {
    SendOutcome outcome = null;
    Duration delay = retry.firstDelay();
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      Timer.Sample sample = Timer.start();
      outcome = sender.send(message);
      sample.stop(Timer.builder(Metrics.PROVIDER_LATENCY).description("One provider send call, by its outcome")
          .tags(Metrics.TAG_PROVIDER, sender.provider(), Metrics.TAG_OUTCOME, switch (outcome) {
            case SendOutcome.Accepted a -> "accepted";
            case SendOutcome.Retryable r -> "retryable";
            case SendOutcome.Permanent p -> "permanent";
          })
          .serviceLevelObjectives(Metrics.BUCKETS_PROVIDER_CALL)
          .register(metrics));
      if (!(outcome instanceof SendOutcome.Retryable r)) {
        return outcome;
      }
      Duration wait = r.retryAfter() != null && r.retryAfter().compareTo(delay) > 0 ? r.retryAfter() : delay;
      // Bounded, so the whole budget stays far below the consumer's max.poll.interval.ms.
      wait = wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
      // Jitter (half to full wait) keeps dispatchers from retrying in lockstep against a struggling provider.
      wait = Duration.ofMillis(ThreadLocalRandom.current().nextLong(wait.toMillis() / 2, wait.toMillis() + 1));
      if (attempt == retry.maxAttempts() || clock.instant().plus(wait).isAfter(expiresAt)) {
        break;
      }
      Counter.builder(Metrics.DISPATCH_RETRIES).description("Provider sends retried after a transient failure")
          .tag(Metrics.TAG_PROVIDER, sender.provider()).register(metrics).increment();
      LOG.info("The provider could not take the SMS of verification {} ({}); retry {} in {} ms.",
          message.verificationId(), r.reason(), attempt, wait.toMillis());
      Thread.sleep(wait);
      delay = delay.multipliedBy(2).compareTo(retry.maxDelay()) > 0 ? retry.maxDelay() : delay.multipliedBy(2);
    }
    return outcome;
  }

  /**
   * Dead-letters and reports a send that did not happen. The claim becomes "failed" only once both
   * are published; if publishing fails the claim is dropped, so the redelivered event tries again
   * (safe: nothing was sent) instead of losing the outcome.
   */
  private void fail(SmsDispatch d, String claimKey, Duration keep, String errorCode, String reason) throws Exception {
    LOG.warn("The SMS of verification {} to {} failed for good: {}.", d.verificationId(), PhoneMask.mask(d.to()), reason);
    try {
      outcomes.deadLetter(d, reason);
      report(d, "failed", null, errorCode, reason.substring(0, reason.indexOf(':')));
    } catch (Exception e) {
      redis.del(claimKey);
      throw e;
    }
    redis.set(claimKey, "failed", SetParams.setParams().px(keep.toMillis()));
    count(d, "failed");
    Counter.builder(Metrics.DISPATCH_DEAD_LETTERS).description("Sends given up for good and dead-lettered")
        .tags(Metrics.TAG_PROVIDER, sender.provider(),
            Metrics.TAG_REASON, reason.startsWith("permanent") ? "permanent" : "retries_exhausted")
        .register(metrics).increment();
  }

  private void count(SmsDispatch d, String outcome) {
    Counter.builder(Metrics.DISPATCHED).description("Dispatch events handled by a provider send, by outcome")
        .tags(Metrics.TAG_TENANT, d.tenant(), Metrics.TAG_PROVIDER, sender.provider(), Metrics.TAG_OUTCOME, outcome)
        .register(metrics).increment();
  }

  private void report(SmsDispatch d, String state, String providerId, String errorCode, String reason) throws Exception {
    outcomes.report(new DeliveryReport(UUID.randomUUID().toString(), clock.instant(), d.tenant(), d.verificationId(),
        "sms", sender.provider(), state, providerId, errorCode, reason, null));
  }

  private URI callbackFor(SmsDispatch d) {
    if (statusCallback == null) {
      return null;
    }
    // Keep any query the operator configured, and a #fragment (where Twilio reads its callback options) last.
    String base = statusCallback.toString();
    String fragment = "";
    int hash = base.indexOf('#');
    if (hash >= 0) {
      fragment = base.substring(hash);
      base = base.substring(0, hash);
    }
    return URI.create(base + (base.contains("?") ? "&" : "?")
        + "v=" + URLEncoder.encode(d.verificationId(), StandardCharsets.UTF_8)
        + "&t=" + URLEncoder.encode(d.tenant(), StandardCharsets.UTF_8) + fragment);
  }
}
