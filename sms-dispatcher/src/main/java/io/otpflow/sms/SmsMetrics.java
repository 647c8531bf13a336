package io.otpflow.sms;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import java.util.Map;

/**
 * The SMS dispatcher's counters, each registered with its help text (Prometheus shows it, promtool
 * requires it; docs/metrics.md is the catalogue). Tags are tenant, provider, outcome and reason only.
 */
final class SmsMetrics {
  private static final Map<String, String> HELP = Map.of(
      Metrics.DISPATCHED, "Dispatch events handled by a provider send, by outcome",
      Metrics.DISPATCH_RETRIES, "Provider sends retried after a transient failure",
      Metrics.DISPATCH_DEAD_LETTERS, "Sends given up for good and dead-lettered",
      Metrics.SMS_LEASE_TAKEOVERS, "SMS sends taken over after their dispatcher's lease ran out",
      Metrics.SMS_POSSIBLE_DUPLICATES, "Takeovers of sends whose provider call had started: the SMS may go out twice");

  private SmsMetrics() {}

  static void increment(MeterRegistry metrics, String name, String... tags) {
    register(metrics, name, tags).increment();
  }

  /** Registers a counter at zero, so a rare event's series exists (and can be alerted on) before it happens. */
  static Counter register(MeterRegistry metrics, String name, String... tags) {
    return Counter.builder(name).description(HELP.get(name)).tags(tags).register(metrics);
  }
}
