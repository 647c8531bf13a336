package io.otpflow.issuer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.LuaScript;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * A tenant's daily spend cap, enforced where sends are admitted. Each admitted send reserves its
 * estimated price in one Redis counter per tenant and UTC day (spend-cap.lua, atomic), so issuers
 * running side by side share the budget and stop exactly at the cap; the day in the key resets it
 * at 00:00 UTC without any job. It reserves at admission rather than counting what the provider
 * accepted later: the dispatcher works asynchronously, and counting there would let a burst
 * overshoot the cap by every message still in flight. A send that is admitted and then fails still
 * counts, so the cap errs on the side of stopping early.
 */
final class SpendCap {
  private static final Logger LOG = LoggerFactory.getLogger(SpendCap.class);
  private static final LuaScript SPEND_CAP = LuaScript.fromResource(SpendCap.class, "spend-cap.lua");
  /** Yesterday's counter stays readable for a day; nothing reads it later. */
  private static final Duration KEEP = Duration.ofDays(2);

  sealed interface Result {
    record Admitted() implements Result {}

    /** The cap is reached; {@code retryAfter} is the time left until the next UTC day. */
    record Refused(Duration retryAfter) implements Result {}
  }

  private final UnifiedJedis redis;
  private final SmsPrices prices;
  private final Clock clock;

  SpendCap(UnifiedJedis redis, SmsPrices prices, TenantDirectory tenants, Clock clock, MeterRegistry metrics) {
    this.redis = redis;
    this.prices = prices;
    this.clock = clock;
    for (Tenant t : tenants.all()) {
      if (t.dailySpendCap() != null) {
        Gauge.builder(Metrics.SPEND_CAP_LIMIT, t, tenant -> tenant.dailySpendCap().doubleValue())
            .description("The tenant's daily SMS spend cap, in the price table's currency")
            .tag(Metrics.TAG_TENANT, t.id()).tag(Metrics.TAG_CURRENCY, prices.currency())
            .strongReference(true)
            .register(metrics);
        Gauge.builder(Metrics.SPEND_CAP_SPENT, t, this::spentToday)
            .description("Estimated SMS spend reserved by today's (UTC) admitted sends, in the price table's currency")
            .tag(Metrics.TAG_TENANT, t.id()).tag(Metrics.TAG_CURRENCY, prices.currency())
            .strongReference(true)
            .register(metrics);
      }
    }
  }

  /** Reserves the price of one message to {@code callingCode}, or refuses when that would pass the cap. */
  Result reserve(Tenant tenant, String callingCode) {
    if (tenant.dailySpendCap() == null) {
      return new Result.Admitted();
    }
    Instant now = clock.instant();
    List<?> r = (List<?>) SPEND_CAP.run(redis, List.of(key(tenant, now)),
        List.of(Long.toString(prices.micros(callingCode)), Long.toString(SmsPrices.micros(tenant.dailySpendCap())),
            Long.toString(KEEP.toMillis())));
    if (Long.valueOf(1).equals(r.get(0))) {
      return new Result.Admitted();
    }
    Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    return new Result.Refused(Duration.between(now, midnight));
  }

  /** Read at scrape time, so the gauge shows what every issuer instance has reserved together. */
  private double spentToday(Tenant tenant) {
    try {
      String micros = redis.get(key(tenant, clock.instant()));
      return micros == null ? 0 : SmsPrices.units(Long.parseLong(micros));
    } catch (RuntimeException e) {
      LOG.debug("Could not read the spend of tenant {}: {}", tenant.id(), e.toString());
      return Double.NaN;
    }
  }

  private static String key(Tenant tenant, Instant now) {
    return RedisKeys.spend(tenant.id(), LocalDate.ofInstant(now, ZoneOffset.UTC).toString());
  }
}
