package io.otpflow.common;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * Metric names and tag keys, shared by the code that records them and the tests that read them.
 * Tags stay low-cardinality: tenant, channel, provider, country calling code, outcome, reason —
 * never a phone number, account, code or id. docs/metrics.md is the catalogue (MetricsFlowTest keeps
 * the two in step).
 */
public final class Metrics {
  public static final String REQUESTED = "otp.verifications.requested";
  public static final String RATE_LIMITED = "otp.verifications.rate_limited";
  public static final String DISPATCHED = "otp.dispatch.sent";
  public static final String DISPATCH_RETRIES = "otp.dispatch.retries";
  public static final String DISPATCH_DEAD_LETTERS = "otp.dispatch.dead_letters";
  /** SMS sends taken over from a dispatcher whose lease ran out (it died or stalled before marking the outcome). */
  public static final String SMS_LEASE_TAKEOVERS = "otp.sms.lease_takeovers";
  /** Takeovers whose earlier owner had started the provider call: the SMS may go out twice. */
  public static final String SMS_POSSIBLE_DUPLICATES = "otp.sms.possible_duplicates";
  /** SMS sends on the retry queue (gauge, sampled by the retry worker). */
  public static final String SMS_RETRY_QUEUE = "otp.sms.retry_queue";
  public static final String DELIVERY_REPORTS = "otp.delivery.reports";
  public static final String PROVIDER_LATENCY = "otp.provider.latency";
  public static final String CHECKS = "otp.checks";
  public static final String CHECK_LATENCY = "otp.check.latency";
  public static final String HTTP_REQUESTS = "otp.http.requests";
  /** Requests the gateway refused with 429 by its own in-memory per-client limit; tag route. */
  public static final String HTTP_RATE_LIMITED = "otp.http.rate_limited";
  public static final String LOCKOUTS = "otp.account.lockouts";

  public static final String TAG_SERVICE = "service";
  public static final String TAG_TENANT = "tenant";
  public static final String TAG_CHANNEL = "channel";
  public static final String TAG_PROVIDER = "provider";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_REASON = "reason";
  public static final String TAG_STATE = "state";

  // --- The operator's funnel (issue 6): one counter per stage, once per verification ----------------
  // requested and rate_limited are above; a channel without a provider (TOTP) tags provider=none.

  /** Provider accepted the message (issuer, from the first report that says so). */
  public static final String FUNNEL_SENT = "otp.verifications.sent";
  /** Delivered to the handset (issuer, from the provider's delivery receipt). */
  public static final String FUNNEL_DELIVERED = "otp.verifications.delivered";
  /** Final delivery failure: undelivered (provider receipt) or failed (provider refused or gave up). */
  public static final String FUNNEL_FAILED = "otp.verifications.failed";
  /** Checks answered approved, denied, expired, locked (verifier; a redelivered check is not counted twice). */
  public static final String FUNNEL_VERIFIED = "otp.verifications.verified";
  public static final String FUNNEL_DENIED = "otp.verifications.denied";
  public static final String FUNNEL_EXPIRED = "otp.verifications.expired";
  public static final String FUNNEL_LOCKED = "otp.verifications.locked";

  /** Created → provider accepted, created → delivery receipt, created → approved. */
  public static final String TIME_TO_SENT = "otp.verification.time_to_sent";
  public static final String TIME_TO_DELIVERED = "otp.verification.time_to_delivered";
  public static final String TIME_TO_VERIFIED = "otp.verification.time_to_verified";

  public static final String TAG_COUNTRY_CODE = "country_code";
  public static final String TAG_ERROR_CLASS = "error_class";

  /** Tag value when a stage's provider or a number's calling code is not known (yet). */
  public static final String UNKNOWN = "unknown";
  /** Tag value for channels that have no provider or no phone number (TOTP). */
  public static final String NONE = "none";

  // --- Money (issue 6) --------------------------------------------------------------------------------

  /** Estimated SMS cost, in the price table's currency, per message the provider accepted. */
  public static final String SMS_COST = "otp.sms.estimated_cost";
  /** A tenant's daily spend cap and what today's (UTC) admitted sends have reserved of it. */
  public static final String SPEND_CAP_LIMIT = "otp.spend_cap.limit";
  public static final String SPEND_CAP_SPENT = "otp.spend_cap.spent";
  /** Sends refused because the tenant's daily spend cap is reached. */
  public static final String SPEND_CAP_REFUSED = "otp.spend_cap.refused";
  public static final String TAG_CURRENCY = "currency";

  // --- Plumbing (issue 6): dead letters, Kafka lag, Redis ------------------------------------------

  /** Every record sent to the dead-letter topic, by the topic it came from and the reason's class. */
  public static final String DEAD_LETTERS = "otp.dead_letters";
  /** Records behind the end of each topic, summed over the partitions this consumer owns. */
  public static final String KAFKA_CONSUMER_LAG = "otp.kafka.consumer.lag";
  /** Every Redis command (Lua scripts by name), with its outcome. */
  public static final String REDIS_COMMANDS = "otp.redis.commands";
  public static final String TAG_TOPIC = "topic";
  public static final String TAG_GROUP = "group";
  public static final String TAG_COMMAND = "command";
  public static final String TAG_SCRIPT = "script";

  // --- Histogram buckets: each fits the latency it measures ------------------------------------------

  /** Handing a message to a provider: usually well under a second, retries take up to minutes. */
  public static final Duration[] BUCKETS_TO_SENT =
      seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
  /** Handset receipts: seconds when all is well, minutes when a carrier queues. */
  public static final Duration[] BUCKETS_TO_DELIVERED =
      seconds(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800);
  /** A person reading and typing a code, bounded by the code's lifetime (at most 10 minutes). */
  public static final Duration[] BUCKETS_TO_VERIFIED =
      seconds(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600);
  /** One provider HTTP call, bounded by its read timeout. */
  public static final Duration[] BUCKETS_PROVIDER_CALL =
      seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  /** In-service handling of a check: a few Redis round trips and two Kafka acks. */
  public static final Duration[] BUCKETS_CHECK =
      seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);
  /** One Redis command, bounded by REDIS_COMMAND_TIMEOUT (1 s by default). */
  public static final Duration[] BUCKETS_REDIS =
      seconds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);

  // --- push dispatcher (issue 4) -------------------------------------------------------------------
  // Tags: platform (apns, fcm), provider (apns, fcm, outbox), kind (notify, withdraw), outcome, reason.
  // Never a token, device id, account or verification id.
  /** Per device and provider answer: outcome accepted, dead_token, failed, dropped (expired or decided before send). */
  public static final String PUSH_SENT = "otp.push.sent";
  /** Provider answers worth another attempt that got one (scheduled on the retry queue). */
  public static final String PUSH_RETRIES = "otp.push.retries";
  /** Pushes copied to the dead-letter topic: reason permanent, retries_exhausted, malformed. */
  public static final String PUSH_DEAD_LETTERS = "otp.push.dead_letters";
  /** Tokens the provider declared dead, reported device-unregistered for the registry to prune; reason = provider's. */
  public static final String PUSH_TOKENS_DEAD = "otp.push.tokens_dead";
  /** Time of one provider call (timer). */
  public static final String PUSH_PROVIDER_LATENCY = "otp.push.provider.latency";
  /** Withdrawals planned after a verdict, one per device that had received the verification's push. */
  public static final String PUSH_WITHDRAWALS = "otp.push.withdrawals";
  /** Sends waiting on the retry queue (gauge, sampled by the retry worker). */
  public static final String PUSH_RETRY_QUEUE = "otp.push.retry_queue";
  public static final String TAG_PLATFORM = "platform";
  public static final String TAG_KIND = "kind";
  /** Device answers the verifier handled, by outcome (approved, denied, wrong_number, invalid_signature, ...). */
  public static final String PUSH_ANSWERS = "otp.push.answers";
  /** Devices the verifier removed from their account because the provider said their token is dead. */
  public static final String PUSH_TOKENS_PRUNED = "otp.push.tokens_pruned";
  // --- end of push dispatcher block -----------------------------------------------------------------

  private Metrics() {}

  /** A registry per service (several services share one JVM in the standalone launcher and tests). */
  public static PrometheusMeterRegistry newRegistry(String service) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(TAG_SERVICE, service);
    // promtool's lint refuses these two names (an abbreviated unit, a _count suffix on a gauge);
    // process_cpu_usage and system_cpu_usage from the same binder stay.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
        || id.getName().equals("system.cpu.count")));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    return registry;
  }

  private static Duration[] seconds(double... values) {
    Duration[] buckets = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      buckets[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000_000L));
    }
    return buckets;
  }
}
