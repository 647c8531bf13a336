package io.otpflow.sms;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.Metrics;
import io.otpflow.common.SecretBox;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sends one dispatch event's SMS, once unless a dispatcher dies in the provider's answer window.
 *
 * <p>A lease in Redis ({@link SmsClaims}) is taken before the provider call and turned into
 * {@code sent}, {@code retry:<n>} or {@code failed} after it. A redelivered event finds it and sends
 * nothing; if the lease ran out (its owner died before the provider answered, or before marking), the
 * redelivery takes the send over and makes it, so a crash loses no SMS. The provider's acceptance is
 * recorded first thing after its answer: the only duplicate left is an SMS the provider accepted from a
 * dispatcher that died before that one Redis write, counted in {@link Metrics#SMS_POSSIBLE_DUPLICATES}.
 *
 * <p>The first attempt runs in the consumer's batch. A transient failure is not waited for there:
 * the event goes on the Redis retry queue with its next due time (backoff with jitter, never before
 * Retry-After) and the batch moves on; the {@link RetryQueueWorker} makes the later attempts ({@link
 * #retry}). Permanent failures and exhausted budgets are dead-lettered and reported.
 */
final class SmsDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SmsDispatcher.class);
  /**
   * How long a send is held before another dispatcher may take it over: twice Twilio's default
   * connect + read timeouts (5 s + 10 s), so a live dispatcher always answers within it (DispatcherConfig
   * refuses a lease shorter than the configured timeouts).
   */
  static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** Where outcomes go: delivery reports for the issuer, dead letters with a reason. */
  interface Outcomes {
    void report(DeliveryReport report) throws Exception;

    void deadLetter(SmsDispatch dispatch, String reason) throws Exception;
  }

  private final SmsSender sender;
  private final SecretBox box;
  private final SmsClaims claims;
  private final SmsMessages messages;
  private final Settlement settlement;
  private final Duration lease;
  private final Clock clock;
  private final Clock timer;
  private final MeterRegistry metrics;

  SmsDispatcher(SmsSender sender, SecretBox box, UnifiedJedis redis, Outcomes outcomes, URI statusCallback,
      String defaultFrom, String messagingServiceSid, RetryPolicy retry, Clock clock, MeterRegistry metrics) {
    this(sender, box, new SmsClaims(redis), outcomes, new SmsMessages(statusCallback, defaultFrom, messagingServiceSid),
        retry, DEFAULT_LEASE, clock, clock, metrics);
  }

  /**
   * @param clock the platform's time: codes' expiry, report times
   * @param timer real time, for what measures how long things really take: leases (a provider call
   *     takes real seconds whatever a test clock says) and retry due times
   */
  SmsDispatcher(SmsSender sender, SecretBox box, SmsClaims claims, Outcomes outcomes, SmsMessages messages,
      RetryPolicy retry, Duration lease, Clock clock, Clock timer, MeterRegistry metrics) {
    this.sender = sender;
    this.box = box;
    this.claims = claims;
    this.messages = messages;
    this.settlement = new Settlement(sender.provider(), claims, outcomes, retry, clock, timer, metrics);
    this.lease = lease;
    this.clock = clock;
    this.timer = timer;
    this.metrics = metrics;
    SmsMetrics.register(metrics, Metrics.SMS_LEASE_TAKEOVERS, Metrics.TAG_PROVIDER, sender.provider());
    SmsMetrics.register(metrics, Metrics.SMS_POSSIBLE_DUPLICATES, Metrics.TAG_PROVIDER, sender.provider());
  }

  /** One event from otp.sms-dispatch.v1 (first delivery or redelivery). */
  void dispatch(SmsDispatch d) throws Exception {
    Instant now = clock.instant();
    Instant real = timer.instant();
    String earlier = claims.state(d);
    SmsClaims.Lease held = SmsClaims.Lease.parse(earlier);
    boolean legacy = "sending".equals(earlier); // a claim of an earlier version, never marked: taken over
    if (earlier != null && !legacy && (held == null || held.until().isAfter(real))) {
      redelivered(d, earlier, held, real);
      return;
    }
    if (earlier == null && !now.isBefore(d.expiresAt())) {
      LOG.info("Dropping the SMS of verification {}: its code expired before it could be sent.", d.verificationId());
      settlement.report(d, "failed", null, null, "expired-before-send");
      return;
    }
    String code = box.open(d.code(), d.verificationId()); // throws MalformedEventException: dead letter
    String owner = UUID.randomUUID().toString();
    switch (claims.claim(d, owner, real, lease, Settlement.keep(d, now))) {
      case SmsClaims.Claim.Existing e -> redelivered(d, e.state(), SmsClaims.Lease.parse(e.state()), real);
      case SmsClaims.Claim.Claimed c -> attempt(d, code, owner, 1, null);
      case SmsClaims.Claim.TakenOver t -> {
        tookOver(d, t.expired());
        attempt(d, code, owner, t.expired().attempt(), null);
      }
    }
  }

  /** One due entry of the retry queue (see {@link RetryQueueWorker}). */
  void retry(String member) throws Exception {
    SmsClaims.Entry entry;
    try {
      entry = SmsClaims.entry(member);
    } catch (RuntimeException e) {
      LOG.warn("Dropping an SMS retry queue entry that cannot be read: {}", e.toString());
      claims.dequeue(member);
      return;
    }
    SmsDispatch d = entry.dispatch();
    Instant now = timer.instant();
    String owner = UUID.randomUUID().toString();
    switch (claims.take(entry, owner, now, lease)) {
      case SmsClaims.Taken.Done x -> claims.dequeue(member);
      case SmsClaims.Taken.Busy b -> claims.postpone(member, b.until());
      case SmsClaims.Taken.Sent s -> {
        settlement.report(d, "sent", s.providerMessageId(), null, null);
        claims.dequeue(member);
      }
      case SmsClaims.Taken.Take t -> {
        claims.postpone(member, now.plus(lease));
        attemptFromQueue(d, owner, entry.attempt(), member);
      }
      case SmsClaims.Taken.TakenOver t -> {
        claims.postpone(member, now.plus(lease));
        tookOver(d, t.expired());
        attemptFromQueue(d, owner, Math.max(entry.attempt(), t.expired().attempt()), member);
      }
    }
  }

  private void attemptFromQueue(SmsDispatch d, String owner, int attempt, String member) throws Exception {
    String code;
    try {
      code = box.open(d.code(), d.verificationId());
    } catch (MalformedEventException e) {
      // It opened on the first attempt; a key removed since then is the likely cause.
      settlement.fail(d, owner, attempt, member, null, "permanent: the code no longer opens (" + e.getMessage() + ")");
      return;
    }
    attempt(d, code, owner, attempt, member);
  }

  /** Makes attempt {@code attempt} under the caller's lease; {@code member} is its queue entry, or null in the batch. */
  private void attempt(SmsDispatch d, String code, String owner, int attempt, String member) throws Exception {
    Instant now = clock.instant();
    SendOutcome outcome;
    if (!now.isBefore(d.expiresAt())) {
      outcome = new SendOutcome.Retryable("the code expired before attempt " + attempt, null);
    } else if (!claims.calling(d, owner)) {
      LOG.info("Not sending the SMS of verification {}: another dispatcher took it over.", d.verificationId());
      return;
    } else {
      outcome = timedSend(messages.of(d, code, now));
    }
    settlement.settle(d, owner, attempt, member, outcome);
  }

  /** The event was seen before: send nothing now, but make sure nothing is lost either. */
  private void redelivered(SmsDispatch d, String state, SmsClaims.Lease held, Instant now) throws Exception {
    LOG.info("Not sending the SMS of verification {} now: it is already {}.", d.verificationId(),
        state.replaceFirst("[:|].*", ""));
    if (state.startsWith("sent:")) {
      // The report may be what failed last time; the issuer applies it idempotently.
      settlement.report(d, "sent", state.substring("sent:".length()), null, null);
    } else if (state.startsWith("retry:")) {
      // The queue entry may be what failed to be written; one already there keeps its due time.
      claims.enqueue(new SmsClaims.Entry(Integer.parseInt(state.substring("retry:".length())), d), now);
    } else if (held != null) {
      // Another dispatcher holds it. Should it die, the queue takes the send over when its lease ends.
      claims.enqueue(new SmsClaims.Entry(held.attempt(), d), held.until());
    }
  }

  private void tookOver(SmsDispatch d, SmsClaims.Lease expired) {
    SmsMetrics.increment(metrics, Metrics.SMS_LEASE_TAKEOVERS, Metrics.TAG_PROVIDER, sender.provider());
    if (expired.calling()) {
      SmsMetrics.increment(metrics, Metrics.SMS_POSSIBLE_DUPLICATES, Metrics.TAG_PROVIDER, sender.provider());
    }
    LOG.warn("Taking over the SMS of verification {}: its dispatcher's lease ran out{}.", d.verificationId(),
        expired.calling() ? " after its provider call started, so it may be sent twice" : " before its provider call");
  }

  private SendOutcome timedSend(SmsMessage message) {
    Timer.Sample sample = Timer.start();
    SendOutcome outcome = sender.send(message);
    sample.stop(Timer.builder(Metrics.PROVIDER_LATENCY).description("One provider send call, by its outcome")
        .tags(Metrics.TAG_PROVIDER, sender.provider(), Metrics.TAG_OUTCOME, switch (outcome) {
          case SendOutcome.Accepted a -> "accepted";
          case SendOutcome.Retryable r -> "retryable";
          case SendOutcome.Permanent p -> "permanent";
        })
        .serviceLevelObjectives(Metrics.BUCKETS_PROVIDER_CALL)
        .register(metrics));
    return outcome;
  }
}
