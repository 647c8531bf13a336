package io.otpflow.push;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Json;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.Metrics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.push.provider.PushMessage;
import io.otpflow.push.provider.PushMessage.Kind;
import io.otpflow.push.provider.PushOutcome;
import io.otpflow.push.provider.PushSender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one device's push of one verification at most once, and reports the outcome for that device.
 *
 * <p>A claim per verification and device ({@code c:<device>} in {@link RedisPushState}) is taken
 * before the provider call, so a redelivered event finds it and sends nothing (it re-reports a
 * {@code sent} outcome, in case the report was what got lost). Withdrawals have their own claim
 * ({@code w:<device>}), so a withdrawal is never blocked by the send it takes back, and goes out once too.
 *
 * <p>The first attempt runs in the consumer's batch. A transient failure is not waited for there: the
 * event is parked in Redis with its next due time (backoff with jitter, never before Retry-After) and
 * the batch moves on, so a device in retry never delays another device's push or the next poll; the
 * {@link RetryQueueWorker} makes the later attempts ({@link #retry}). Permanent failures and exhausted
 * budgets are dead-lettered with the reason; a token the provider declares dead is reported
 * {@code failed}/{@code device-unregistered} for the registry to prune.
 */
final class PushDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(PushDispatcher.class);
  /** Claims outlive the code, so no redelivery within its lifetime can send it again. */
  static final Duration KEEP_AFTER_EXPIRY = Duration.ofHours(1);

  private final Map<String, PushSender> senders;
  private final DispatchOpener opener;
  private final RedisPushState state;
  private final Withdrawals withdrawals;
  private final PushEvents events;
  private final RetryPolicy retry;
  private final Clock clock;
  private final MeterRegistry metrics;

  /** @param senders by platform (apns, fcm); a platform without one fails its pushes as permanent */
  PushDispatcher(Map<String, PushSender> senders, DispatchOpener opener, RedisPushState state, Withdrawals withdrawals,
      PushEvents events, RetryPolicy retry, Clock clock, MeterRegistry metrics) {
    this.senders = Map.copyOf(senders);
    this.opener = opener;
    this.state = state;
    this.withdrawals = withdrawals;
    this.events = events;
    this.retry = retry;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** One event from otp.push-dispatch.v1: a device's push, or a withdrawal. */
  void handle(PushDispatch d) throws Exception {
    Kind kind;
    PushMessage message;
    try {
      kind = DispatchOpener.check(d);
    } catch (MalformedEventException e) {
      reportMalformed(d);
      throw e;
    }
    String field = field(kind, d.deviceId());
    String earlier = state.state(d.verificationId(), field);
    if (earlier != null) {
      redelivered(d, kind, field, earlier);
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(d.expiresAt())) {
      LOG.info("Dropping the {} of verification {} to device {}: it expired before it could be sent.", kind.noun(),
          d.verificationId(), d.deviceId());
      dropped(d, kind, "expired-before-send");
      return;
    }
    try {
      message = opener.open(d);
    } catch (MalformedEventException e) {
      reportMalformed(d);
      throw e;
    }
    RedisPushState.Claim claim = state.claim(d.verificationId(), field, keep(d, now), kind == Kind.NOTIFY);
    switch (claim.status()) {
      case "existing" -> redelivered(d, kind, field, claim.value());
      case "decided" -> {
        LOG.info("Not sending verification {} to device {}: it was decided before the push went out.",
            d.verificationId(), d.deviceId());
        try {
          dropped(d, kind, "decided-before-send");
        } catch (Exception e) {
          state.release(d.verificationId(), field);
          throw e;
        }
      }
      default -> attempt(d, kind, field, message, 1, false);
    }
  }

  /** One due entry of the retry queue (see {@link RetryQueueWorker}). */
  void retry(String member) throws Exception {
    RedisPushState.Taken taken = state.take(member);
    state.dequeue(member);
    if (taken.status().equals("stale")) {
      return;
    }
    PushDispatch d = Json.read(taken.event().getBytes(java.nio.charset.StandardCharsets.UTF_8), PushDispatch.class);
    Kind kind = taken.field().startsWith("c:") ? Kind.NOTIFY : Kind.WITHDRAW;
    switch (taken.status()) {
      case "sent" -> {
        try {
          reportAccepted(d, kind, taken.state().substring("sent:".length()), state.decided(d.verificationId()));
          state.forget(d.verificationId(), taken.field());
        } catch (Exception e) {
          state.enqueue(d.verificationId(), taken.field(), taken.attempt(), clock.instant().plus(retry.firstDelay()));
          throw e;
        }
      }
      case "decided" -> {
        LOG.info("Not retrying verification {} to device {}: it was decided meanwhile.", d.verificationId(), d.deviceId());
        try {
          dropped(d, kind, "decided-before-send");
          state.forget(d.verificationId(), taken.field());
        } catch (Exception e) {
          state.schedule(d.verificationId(), taken.field(), taken.attempt(), taken.event(),
              clock.instant().plus(retry.firstDelay()), keep(d, clock.instant()));
          throw e;
        }
      }
      default -> {
        PushMessage message;
        try {
          message = opener.open(d);
        } catch (MalformedEventException e) {
          // It opened on the first attempt; a key removed since then is the likely cause.
          fail(d, kind, taken.field(), provider(d), null, "malformed", "malformed: " + e.getMessage());
          return;
        }
        attempt(d, kind, taken.field(), message, taken.attempt(), true);
      }
    }
  }

  private void attempt(PushDispatch d, Kind kind, String field, PushMessage message, int attempt, boolean fromQueue)
      throws Exception {
    PushSender sender = senders.get(d.platform());
    PushOutcome outcome;
    if (sender == null) {
      outcome = new PushOutcome.Permanent("no-provider", "no provider is configured for platform " + d.platform());
    } else if (!clock.instant().isBefore(d.expiresAt())) {
      outcome = new PushOutcome.Retryable("it expired while waiting for its retry", null);
    } else {
      Timer.Sample sample = Timer.start();
      outcome = sender.send(message);
      sample.stop(Timer.builder(Metrics.PUSH_PROVIDER_LATENCY).description("Time of one push provider call")
          .tag(Metrics.TAG_PROVIDER, sender.provider())
          .tag(Metrics.TAG_PLATFORM, d.platform()).publishPercentileHistogram().register(metrics));
    }
    try {
      settle(d, kind, field, outcome, attempt);
    } catch (Exception e) {
      // Nothing was lost: an accepted push keeps its claim "sent:..." (its report is published again
      // on redelivery, or by the retry queue); anything else was not sent and may be tried again.
      try {
        if (fromQueue) {
          Instant later = clock.instant().plus(retry.firstDelay());
          if (outcome instanceof PushOutcome.Accepted) {
            state.enqueue(d.verificationId(), field, attempt, later);
          } else {
            state.schedule(d.verificationId(), field, attempt, Json.writeString(d), later, keep(d, clock.instant()));
          }
        } else if (!(outcome instanceof PushOutcome.Accepted)) {
          state.release(d.verificationId(), field);
        }
      } catch (Exception again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private void settle(PushDispatch d, Kind kind, String field, PushOutcome outcome, int attempt) throws Exception {
    Instant now = clock.instant();
    String provider = provider(d);
    switch (outcome) {
      case PushOutcome.Accepted a -> {
        String record = kind == Kind.NOTIFY ? Json.writeString(Withdrawals.DeliveredDevice.of(d)) : null;
        String decided = state.settle(d.verificationId(), field, "sent:" + a.providerMessageId(),
            kind == Kind.NOTIFY ? RedisPushState.deviceField(d.deviceId()) : null, record, keep(d, now));
        count(d, kind, "accepted");
        LOG.info("Sent the {} of verification {} to device {} via {}{}.", kind.noun(), d.verificationId(), d.deviceId(),
            provider, attempt > 1 ? " on attempt " + attempt : "");
        reportAccepted(d, kind, a.providerMessageId(), decided);
        state.forget(d.verificationId(), field);
      }
      case PushOutcome.DeadToken t -> {
        LOG.info("{} says the token of device {} is dead ({}); reporting it for pruning (verification {}).", provider,
            d.deviceId(), t.errorCode(), d.verificationId());
        if (kind == Kind.NOTIFY) {
          report(d, provider, "failed", null, t.errorCode(), "device-unregistered");
        }
        state.settle(d.verificationId(), field, "failed:device-unregistered", null, null, keep(d, now));
        count(d, kind, "dead_token");
        if (kind == Kind.NOTIFY) { // withdrawals report nothing, so nothing is pruned for them
          PushMetrics.increment(metrics, Metrics.PUSH_TOKENS_DEAD, Metrics.TAG_PLATFORM, d.platform(), Metrics.TAG_REASON,
              t.errorCode());
        }
        state.forget(d.verificationId(), field);
      }
      case PushOutcome.Permanent p ->
          fail(d, kind, field, provider, p.errorCode(), "permanent", "permanent: " + p.errorCode() + ": " + p.reason());
      case PushOutcome.Retryable r -> {
        Duration wait = retry.waitAfter(attempt, r.retryAfter(), (from, to) -> ThreadLocalRandom.current().nextLong(from, to));
        Instant due = now.plus(wait);
        if (attempt < retry.maxAttempts() && due.isBefore(d.expiresAt())) {
          state.schedule(d.verificationId(), field, attempt + 1, Json.writeString(d), due, keep(d, now));
          PushMetrics.increment(metrics, Metrics.PUSH_RETRIES, Metrics.TAG_PLATFORM, d.platform(), Metrics.TAG_KIND,
              kind.tag());
          LOG.info("{} could not take the {} of verification {} to device {} ({}); attempt {} in {} ms.", provider,
              kind.noun(), d.verificationId(), d.deviceId(), r.reason(), attempt + 1, wait.toMillis());
        } else {
          fail(d, kind, field, provider, null, "retries-exhausted", "retries-exhausted: " + r.reason());
        }
      }
    }
  }

  /**
   * A push that will not go out: dead-lettered and reported first, then the claim says so. If
   * publishing fails the caller puts the claim back, so the outcome is retried rather than lost.
   */
  private void fail(PushDispatch d, Kind kind, String field, String provider, String errorCode, String reason,
      String detail) throws Exception {
    LOG.warn("The {} of verification {} to device {} failed for good: {}.", kind.noun(), d.verificationId(), d.deviceId(),
        detail);
    events.deadLetter(d, detail);
    if (kind == Kind.NOTIFY) {
      report(d, provider, "failed", null, errorCode, reason);
    }
    state.settle(d.verificationId(), field, "failed:" + reason, null, null, keep(d, clock.instant()));
    count(d, kind, "failed");
    PushMetrics.increment(metrics, Metrics.PUSH_DEAD_LETTERS, Metrics.TAG_PLATFORM, d.platform(), Metrics.TAG_REASON,
        reason.replace('-', '_'));
    state.forget(d.verificationId(), field);
  }

  /** An accepted push is reported; one accepted after its verdict's withdrawals were planned withdraws itself. */
  private void reportAccepted(PushDispatch d, Kind kind, String providerMessageId, String decided) throws Exception {
    if (kind != Kind.NOTIFY) {
      return;
    }
    report(d, provider(d), "sent", providerMessageId, null, null);
    if (decided != null && !Withdrawals.answeringDevice(decided).equals(d.deviceId())) {
      events.dispatch(withdrawals.withdrawal(d.verificationId(), d.deviceId(), Withdrawals.DeliveredDevice.of(d), decided));
    }
  }

  /** The event was seen before: send nothing; make sure an accepted push was reported and a parked retry is queued. */
  private void redelivered(PushDispatch d, Kind kind, String field, String earlier) throws Exception {
    LOG.info("Not sending the {} of verification {} to device {} again: it is already {}.", kind.noun(),
        d.verificationId(), d.deviceId(), earlier.replaceFirst(":.*", ""));
    if (earlier.startsWith("sent:")) {
      reportAccepted(d, kind, earlier.substring("sent:".length()), state.decided(d.verificationId()));
    } else if (earlier.startsWith("retry:")) {
      // The queue entry may be what failed to be written; an entry already there keeps its due time.
      state.enqueue(d.verificationId(), field, Integer.parseInt(earlier.substring("retry:".length())), clock.instant());
    }
  }

  private void dropped(PushDispatch d, Kind kind, String reason) throws Exception {
    if (kind == Kind.NOTIFY) {
      report(d, provider(d), "failed", null, null, reason);
    }
    count(d, kind, "dropped");
  }

  private void reportMalformed(PushDispatch d) throws Exception {
    if (DispatchOpener.reportable(d) && !"withdraw".equals(d.mode())) {
      report(d, provider(d), "failed", null, null, "malformed");
    }
    PushMetrics.increment(metrics, Metrics.PUSH_DEAD_LETTERS, Metrics.TAG_PLATFORM,
        DispatchOpener.PLATFORMS.contains(d.platform()) ? d.platform() : "unknown", Metrics.TAG_REASON, "malformed");
  }

  private void report(PushDispatch d, String provider, String state, String providerId, String errorCode, String reason)
      throws Exception {
    events.report(new DeliveryReport(UUID.randomUUID().toString(), clock.instant(), d.tenant(), d.verificationId(),
        "push", provider, state, providerId, errorCode, reason, d.deviceId()));
  }

  private void count(PushDispatch d, Kind kind, String outcome) {
    PushMetrics.increment(metrics, Metrics.PUSH_SENT, Metrics.TAG_PLATFORM, d.platform(), Metrics.TAG_KIND, kind.tag(),
        Metrics.TAG_OUTCOME, outcome);
  }

  private String provider(PushDispatch d) {
    PushSender sender = senders.get(d.platform());
    return sender != null ? sender.provider() : DispatchOpener.PLATFORMS.contains(d.platform()) ? d.platform() : "unknown";
  }

  private static String field(Kind kind, String deviceId) {
    return kind == Kind.NOTIFY ? RedisPushState.sendField(deviceId) : RedisPushState.withdrawField(deviceId);
  }

  private static Duration keep(PushDispatch d, Instant now) {
    Duration left = Duration.between(now, d.expiresAt());
    return (left.isNegative() ? Duration.ZERO : left).plus(KEEP_AFTER_EXPIRY);
  }
}
