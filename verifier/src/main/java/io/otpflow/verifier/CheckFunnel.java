package io.otpflow.verifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The verifier's part of the operator funnel: verified, denied, expired, locked, and the time from a
 * verification's creation to its approval. Recorded here because the verifier decides checks; the
 * labels (channel, provider, calling code) and the creation time come from the verification's record,
 * which the issuer wrote and its delivery reports completed.
 *
 * <p>Only checks that spent an attempt count as verified, denied or locked: a check Kafka delivered
 * twice is answered again but counted once, so verified is at most one per verification. Expired
 * counts every check answered expired (they spend nothing); locked by account counts every check
 * refused while the account is locked.
 */
final class CheckFunnel {
  private static final Logger LOG = LoggerFactory.getLogger(CheckFunnel.class);

  private final UnifiedJedis redis;
  private final MeterRegistry metrics;

  CheckFunnel(UnifiedJedis redis, MeterRegistry metrics) {
    this.redis = redis;
    this.metrics = metrics;
  }

  /** A funnel that records nothing (tests of the check logic alone). */
  static CheckFunnel none() {
    return new CheckFunnel(null, null);
  }

  /** @param outcome a check.lua outcome, or "account_locked" for a check refused by the account lock */
  void checked(String tenant, String verificationId, String outcome, boolean spent, Instant now) {
    String name;
    String lockReason = null;
    switch (outcome) {
      case "approved" -> name = spent ? Metrics.FUNNEL_VERIFIED : null;
      case "denied" -> name = spent ? Metrics.FUNNEL_DENIED : null;
      case "locked" -> {
        name = spent ? Metrics.FUNNEL_LOCKED : null;
        lockReason = "attempts";
      }
      case "account_locked" -> {
        name = Metrics.FUNNEL_LOCKED;
        lockReason = "account";
      }
      case "expired" -> name = Metrics.FUNNEL_EXPIRED;
      default -> name = null; // not_pending, not_found: not a funnel stage
    }
    if (name == null || redis == null) {
      return;
    }
    List<String> h;
    try {
      h = redis.hmget(RedisKeys.verification(verificationId), Field.CHANNEL, Field.PROVIDER, Field.COUNTRY_CODE,
          Field.CREATED);
    } catch (JedisException e) {
      // The check is decided and answered; only its count is lost.
      LOG.warn("Could not read the labels of verification {} for the funnel metrics: {}", verificationId, e.toString());
      return;
    }
    String channel = orUnknown(h.get(0));
    String provider = orUnknown(h.get(1));
    String countryCode = orUnknown(h.get(2));
    Counter.Builder counter = Counter.builder(name).description(description(name))
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider,
            Metrics.TAG_COUNTRY_CODE, countryCode);
    if (lockReason != null) {
      counter.tag(Metrics.TAG_REASON, lockReason);
    }
    counter.register(metrics).increment();
    if (Metrics.FUNNEL_VERIFIED.equals(name) && h.get(3) != null) {
      Duration elapsed = Duration.between(Instant.ofEpochMilli(Long.parseLong(h.get(3))), now);
      // No tenant tag on the histogram: buckets × tenants × calling codes would be too many series.
      Timer.builder(Metrics.TIME_TO_VERIFIED)
          .description("Time from a verification's creation until a check approved it")
          .tags(Metrics.TAG_CHANNEL, channel, Metrics.TAG_PROVIDER, provider, Metrics.TAG_COUNTRY_CODE, countryCode)
          .serviceLevelObjectives(Metrics.BUCKETS_TO_VERIFIED)
          .register(metrics)
          .record(elapsed.isNegative() ? Duration.ZERO : elapsed);
    }
  }

  private static String description(String name) {
    return switch (name) {
      case Metrics.FUNNEL_VERIFIED -> "Verifications approved by a check";
      case Metrics.FUNNEL_DENIED -> "Checks with a wrong code that left attempts";
      case Metrics.FUNNEL_EXPIRED -> "Checks answered expired";
      default -> "Checks answered locked: attempts used up, or the account locked";
    };
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? Metrics.UNKNOWN : value;
  }
}
