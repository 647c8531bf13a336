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
