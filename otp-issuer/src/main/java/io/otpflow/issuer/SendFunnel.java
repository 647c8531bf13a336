package io.otpflow.issuer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Metrics;
import io.otpflow.common.ProviderErrorClass;
import io.otpflow.common.events.DeliveryReport;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The issuer's part of the operator funnel: requested, refused (send limits, spend cap), and the
 * delivery stages sent → delivered / failed with their latencies and the estimated cost.
 *
 * <p>Delivery stages are recorded here, where delivery reports are applied, because this is where
 * each verification's delivery state moves forward exactly once (delivery.lua) and where its
 * creation time, tenant and calling code are at hand in the same Redis step. A report the dispatcher
 * publishes again after a redelivery, or a receipt Twilio sends twice, changes nothing and counts
 * nothing. Latencies run from the verification's creation to the report's own time (when the
 * provider accepted it, when the receipt reached the gateway), not to when the issuer read it.
 */
final class SendFunnel {
  /** Provider names come from events; anything unexpected is folded so a bad event cannot add series. */
  private static final Pattern PROVIDER = Pattern.compile("[a-z0-9_-]{1,20}");

  private final MeterRegistry metrics;
  private final SmsPrices prices;

  SendFunnel(MeterRegistry metrics, SmsPrices prices) {
    this.metrics = metrics;
    this.prices = prices;
  }

  void requested(String tenant, String channel, String countryCode) {
    Counter.builder(Metrics.REQUESTED).description("New verifications the issuer admitted and stored")
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_COUNTRY_CODE, countryCode)
        .register(metrics).increment();
  }

  void rateLimited(String tenant, String channel, String countryCode, String limit) {
    Counter.builder(Metrics.RATE_LIMITED).description("Sends refused by a send limit, by the limit that refused")
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_COUNTRY_CODE, countryCode,
            Metrics.TAG_REASON, limit)
        .register(metrics).increment();
  }

  void spendCapped(String tenant, String channel, String countryCode) {
    Counter.builder(Metrics.SPEND_CAP_REFUSED).description("Sends refused because the tenant's daily spend cap is reached")
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_COUNTRY_CODE, countryCode)
        .register(metrics).increment();
  }

  /**
   * Records the stages a delivery report moved a verification through (from {@code change.previous()}
   * to {@code change.state()}: for push the verification's state derived from all its devices, which
   * a device's report need not equal).
   */
  void delivery(RedisChallengeStore.DeliveryChange change, DeliveryReport report) {
    String tenant = orUnknown(change.tenant());
    String channel = orUnknown(change.channel());
    String countryCode = orUnknown(change.countryCode());
    String provider = report.provider() != null && PROVIDER.matcher(report.provider()).matches()
        ? report.provider() : Metrics.UNKNOWN;
    boolean wasQueued = "queued".equals(change.previous());
    switch (change.state()) {
      case "sent" -> {
        sent(tenant, channel, provider, countryCode);
        latency(Metrics.TIME_TO_SENT, "Time from a verification's creation until its provider accepted the message",
            Metrics.BUCKETS_TO_SENT, channel, provider, countryCode, change.created(), report.occurredAt());
      }
      case "delivered" -> {
        if (wasQueued) {
          sent(tenant, channel, provider, countryCode); // the receipt overtook the dispatcher's report
        }
        Counter.builder(Metrics.FUNNEL_DELIVERED).description("Verifications whose message reached the handset")
            .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider,
                Metrics.TAG_COUNTRY_CODE, countryCode)
            .register(metrics).increment();
        latency(Metrics.TIME_TO_DELIVERED, "Time from a verification's creation until its delivery receipt",
            Metrics.BUCKETS_TO_DELIVERED, channel, provider, countryCode, change.created(), report.occurredAt());
      }
      case "undelivered", "failed" -> {
        if (wasQueued && "undelivered".equals(change.state())) {
          sent(tenant, channel, provider, countryCode); // undelivered means the provider had taken it
        }
        Counter.builder(Metrics.FUNNEL_FAILED)
            .description("Verifications whose message was not delivered: undelivered receipts and failed sends")
            .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider,
                Metrics.TAG_COUNTRY_CODE, countryCode, Metrics.TAG_STATE, change.state(),
                Metrics.TAG_ERROR_CLASS, ProviderErrorClass.of(report.errorCode(), report.reason()))
            .register(metrics).increment();
      }
      default -> {}
    }
  }

  private void sent(String tenant, String channel, String provider, String countryCode) {
    Counter.builder(Metrics.FUNNEL_SENT).description("Verifications whose message the provider accepted")
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider,
            Metrics.TAG_COUNTRY_CODE, countryCode)
        .register(metrics).increment();
    if (prices.configured() && "sms".equals(channel)) {
      Counter.builder(Metrics.SMS_COST)
          .description("Estimated cost of the SMS providers accepted, in the price table's currency")
          .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_COUNTRY_CODE, countryCode, Metrics.TAG_CURRENCY, prices.currency())
          .register(metrics).increment(SmsPrices.units(prices.micros(countryCode)));
    }
  }

  /**
   * No tenant tag on histograms: each carries a dozen buckets, and tenants × calling codes × buckets
   * would be the largest series count on the platform. The counters carry the tenant.
   */
  private void latency(String name, String description, Duration[] buckets, String channel, String provider,
      String countryCode, Instant created, Instant at) {
    if (created == null || at == null) {
      return;
    }
    Duration elapsed = Duration.between(created, at);
    Timer.builder(name).description(description)
        .tags(Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider, Metrics.TAG_COUNTRY_CODE, countryCode)
        .serviceLevelObjectives(buckets)
        .register(metrics)
        .record(elapsed.isNegative() ? Duration.ZERO : elapsed); // clocks of different hosts may disagree a little
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? Metrics.UNKNOWN : value;
  }
}
