package io.otpflow.common;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Metric names and tag keys, shared by the code that records them and the tests that read them.
 * Tags stay low-cardinality: tenant, channel, provider, outcome, reason — never a phone number,
 * account, code or id.
 */
public final class Metrics {
  public static final String REQUESTED = "otp.verifications.requested";
  public static final String RATE_LIMITED = "otp.verifications.rate_limited";
  public static final String DISPATCHED = "otp.dispatch.sent";
  public static final String DISPATCH_RETRIES = "otp.dispatch.retries";
  public static final String DISPATCH_DEAD_LETTERS = "otp.dispatch.dead_letters";
  public static final String DELIVERY_REPORTS = "otp.delivery.reports";
  public static final String PROVIDER_LATENCY = "otp.provider.latency";
  public static final String CHECKS = "otp.checks";
  public static final String CHECK_LATENCY = "otp.check.latency";
  public static final String HTTP_REQUESTS = "otp.http.requests";
  public static final String LOCKOUTS = "otp.account.lockouts";

  public static final String TAG_SERVICE = "service";
  public static final String TAG_TENANT = "tenant";
  public static final String TAG_CHANNEL = "channel";
  public static final String TAG_PROVIDER = "provider";
  public static final String TAG_OUTCOME = "outcome";
  public static final String TAG_REASON = "reason";
  public static final String TAG_STATE = "state";

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
  // --- end of push dispatcher block -----------------------------------------------------------------

  private Metrics() {}

  /** A registry per service (several services share one JVM in the standalone launcher and tests). */
  public static PrometheusMeterRegistry newRegistry(String service) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(TAG_SERVICE, service);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    return registry;
  }
}
