package io.otpflow.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import java.util.Map;

/**
 * The push dispatcher's counters, each registered with its help text (Prometheus shows it, promtool
 * requires it; docs/metrics.md is the catalogue). Tags are platform, kind, outcome and reason only.
 */
final class PushMetrics {
  private static final Map<String, String> HELP = Map.of(
      Metrics.PUSH_SENT, "Push sends and withdrawals by provider answer: accepted, dead_token, failed, dropped",
      Metrics.PUSH_RETRIES, "Push provider answers worth another attempt that got one on the retry queue",
      Metrics.PUSH_DEAD_LETTERS, "Pushes copied to the dead-letter topic, by reason",
      Metrics.PUSH_TOKENS_DEAD, "Device tokens the provider declared dead, reported for the registry to prune",
      Metrics.PUSH_WITHDRAWALS, "Withdrawals planned after a verdict, one per other device that had the push");

  private PushMetrics() {}

  static void increment(MeterRegistry metrics, String name, String... tags) {
    Counter.builder(name).description(HELP.get(name)).tags(tags).register(metrics).increment();
  }
}
