package io.otpflow.sms;

import io.otpflow.common.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.PhoneMask;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a provider's answer to one leased send: record it, report it, park it for a retry or
 * give it up. Every change of the claim except {@code sent} is conditional on the caller's lease.
 */
final class Settlement {
  private static final Logger LOG = LoggerFactory.getLogger(Settlement.class);
  /** Claims outlive the code, so no redelivery within its lifetime can send it again. */
  static final Duration KEEP_AFTER_EXPIRY = Duration.ofHours(1);

  private final String provider;
  private final SmsClaims claims;
  private final SmsDispatcher.Outcomes outcomes;
  private final RetryPolicy retry;
  private final Clock clock;
  private final Clock timer;
  private final MeterRegistry metrics;

  /** @param clock the platform's time (expiry, reports); {@code timer} real time (retry due times), see SmsDispatcher */
  Settlement(String provider, SmsClaims claims, SmsDispatcher.Outcomes outcomes, RetryPolicy retry, Clock clock,
      Clock timer, MeterRegistry metrics) {
    this.provider = provider;
    this.claims = claims;
    this.outcomes = outcomes;
    this.retry = retry;
    this.clock = clock;
    this.timer = timer;
    this.metrics = metrics;
  }

  /**
   * @param owner the lease's owner token
   * @param member the attempt's retry queue entry, or null for the first attempt in the consumer's batch
   */
  void settle(SmsDispatch d, String owner, int attempt, String member, SendOutcome outcome) throws Exception {
    switch (outcome) {
      case SendOutcome.Accepted a -> accepted(d, attempt, member, a.providerMessageId());
      case SendOutcome.Permanent p -> fail(d, owner, attempt, member, p.errorCode(), "permanent: provider error " + p.errorCode());
      case SendOutcome.Retryable r -> retryable(d, owner, attempt, member, r);
    }
  }

  private void accepted(SmsDispatch d, int attempt, String member, String providerMessageId) throws Exception {
    try {
      // First thing after the provider's answer: until this write lands, a takeover would send again.
      claims.markSent(d, providerMessageId, keep(d, clock.instant()));
    } catch (RuntimeException e) {
      // Redis failed: report anyway, so the verification shows the SMS went out (a takeover may still duplicate it).
      report(d, "sent", providerMessageId, null, null);
      throw e;
    }
    count(d, "accepted");
    LOG.info("Sent the SMS of verification {} to {} via {}{}.", d.verificationId(), PhoneMask.mask(d.to()), provider,
        attempt > 1 ? " on attempt " + attempt : "");
    report(d, "sent", providerMessageId, null, null);
    if (member != null) {
      claims.dequeue(member);
    }
  }

  private void retryable(SmsDispatch d, String owner, int attempt, String member, SendOutcome.Retryable r)
      throws Exception {
    Duration wait = retry.waitAfter(attempt, r.retryAfter(), (from, to) -> ThreadLocalRandom.current().nextLong(from, to));
    Instant now = clock.instant();
    if (attempt >= retry.maxAttempts() || !now.plus(wait).isBefore(d.expiresAt())) {
      fail(d, owner, attempt, member, null, "retries-exhausted: " + r.reason());
      return;
    }
    // The entry first: should this dispatcher die before the claim says retry, the entry takes its lease over.
    claims.enqueue(new SmsClaims.Entry(attempt + 1, d), timer.instant().plus(wait));
    claims.mark(d, owner, "retry:" + (attempt + 1), keep(d, now));
    if (member != null) {
      claims.dequeue(member);
    }
    SmsMetrics.increment(metrics, Metrics.DISPATCH_RETRIES, Metrics.TAG_PROVIDER, provider);
    LOG.info("The provider could not take the SMS of verification {} ({}); attempt {} in {} ms.", d.verificationId(),
        r.reason(), attempt + 1, wait.toMillis());
  }

  /**
   * Dead-letters and reports a send that did not happen, then marks the claim {@code failed}. If
   * publishing fails, the send is given back (the lease released for the redelivery, or the queue
   * entry parked again): trying again is safe since nothing was sent, and the outcome is not lost.
   */
  void fail(SmsDispatch d, String owner, int attempt, String member, String errorCode, String reason) throws Exception {
    LOG.warn("The SMS of verification {} to {} failed for good: {}.", d.verificationId(), PhoneMask.mask(d.to()), reason);
    try {
      outcomes.deadLetter(d, reason);
      report(d, "failed", null, errorCode, reason.substring(0, reason.indexOf(':')));
    } catch (Exception e) {
      try {
        if (member == null) {
          claims.release(d, owner);
        } else {
          claims.mark(d, owner, "retry:" + attempt, keep(d, clock.instant()));
          claims.postpone(member, timer.instant().plus(retry.firstDelay()));
        }
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    claims.mark(d, owner, "failed", keep(d, clock.instant()));
    if (member != null) {
      claims.dequeue(member);
    }
    count(d, "failed");
    SmsMetrics.increment(metrics, Metrics.DISPATCH_DEAD_LETTERS, Metrics.TAG_PROVIDER, provider,
        Metrics.TAG_REASON, reason.startsWith("permanent") ? "permanent" : "retries_exhausted");
  }

  void report(SmsDispatch d, String state, String providerId, String errorCode, String reason) throws Exception {
    outcomes.report(new DeliveryReport(UUID.randomUUID().toString(), clock.instant(), d.tenant(), d.verificationId(),
        "sms", provider, state, providerId, errorCode, reason, null));
  }

  private void count(SmsDispatch d, String outcome) {
    SmsMetrics.increment(metrics, Metrics.DISPATCHED, Metrics.TAG_TENANT, d.tenant(), Metrics.TAG_PROVIDER, provider,
        Metrics.TAG_OUTCOME, outcome);
  }

  static Duration keep(SmsDispatch d, Instant now) {
    Duration left = Duration.between(now, d.expiresAt());
    return (left.isNegative() ? Duration.ZERO : left).plus(KEEP_AFTER_EXPIRY);
  }
}
