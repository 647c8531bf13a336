package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.TenantDirectory;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * How much of one Redis core a tenant's slot ({t:tenant}) costs per send: send-limits.lua with the
 * five limits of an SMS send (interval, destination, account, IP, tenant), at a steady 100 sends/s of
 * simulated time, so the tenant's one-minute window holds 6000 entries (the default tenant limit).
 * The server's own time per call (INFO commandstats) bounds what one master can admit for one
 * tenant. Logged, not asserted; runs with {@code -Pchaos} (see docs/operations.md, "Redis").
 */
@Tag("chaos")
class TenantSlotCostTest {
  private static final Logger LOG = LoggerFactory.getLogger(TenantSlotCostTest.class);
  private static final int SENDS = 20_000;
  private static final Pattern EVALSHA = Pattern.compile("cmdstat_evalsha:calls=(\\d+),usec=(\\d+),usec_per_call=([\\d.]+)");

  @TempDir Path dir;

  private static double serverMicrosPerCall(Jedis node) {
    Matcher stats = EVALSHA.matcher(node.info("commandstats"));
    assertThat(stats.find()).as("commandstats of the tenant's master").isTrue();
    return Double.parseDouble(stats.group(3));
  }

  @Test
  void logsTheServerTimeOfOneSendInTheTenantsSlot() {
    try (RedisClusterFixture cluster = RedisClusterFixture.start(dir); UnifiedJedis redis = cluster.settings().connect()) {
      String t = "t-" + UUID.randomUUID();
      RedisChallengeStore store = new RedisChallengeStore(redis, Duration.ofHours(1));
      int master = cluster.masterPortOf(RedisKeys.sendLimit(t, "all", "all"));
      Instant t0 = Instant.parse("2026-03-01T12:00:00Z");
      try (Jedis node = new Jedis("127.0.0.1", master)) {
        node.configResetStat();
        for (int i = 0; i < SENDS; i++) {
          String destination = "d" + (i % 5_000);
          List<RedisChallengeStore.Limit> limits = List.of(
              new RedisChallengeStore.Limit("interval", RedisKeys.sendLimit(t, "gap", destination), 1, Duration.ofSeconds(30)),
              new RedisChallengeStore.Limit("destination", RedisKeys.sendLimit(t, "dest", destination), 5, Duration.ofMinutes(10)),
              new RedisChallengeStore.Limit("account", RedisKeys.sendLimit(t, "acct", "a" + (i % 3_000)), 20, Duration.ofHours(1)),
              new RedisChallengeStore.Limit("ip", RedisKeys.sendLimit(t, "ip", "ip" + (i % 1_000)), 50, Duration.ofHours(1)),
              new RedisChallengeStore.Limit("tenant", RedisKeys.sendLimit(t, "all", "all"), 1_000_000, Duration.ofMinutes(1)));
          store.admit(limits, "m" + i, t0.plusMillis(10L * i));
        }
        double perCall = serverMicrosPerCall(node);
        LOG.info("send-limits.lua in the tenant's slot: {} µs of server time per call, so one master core"
            + " admits at most about {} sends/s for one tenant; the tenant window holds {} entries.",
            perCall, Math.round(1_000_000 / perCall), redis.zcard(RedisKeys.sendLimit(t, "all", "all")));

        TenantDirectory tenants = TenantDirectory.parse("""
            [{"id": "%s", "api_key": "%s-key", "daily_spend_cap": 1000000}]""".formatted(t, t));
        SpendCap cap = new SpendCap(redis, SmsPrices.parse("{\"currency\": \"USD\", \"default\": 0.04}", "test"), tenants,
            new MutableClock(t0), new SimpleMeterRegistry());
        node.configResetStat();
        for (int i = 0; i < SENDS; i++) {
          assertThat(cap.reserve(tenants.all().iterator().next(), "44")).isInstanceOf(SpendCap.Result.Admitted.class);
        }
        perCall = serverMicrosPerCall(node);
        LOG.info("spend-cap.lua in the tenant's slot: {} µs of server time per call (about {} reservations/s per core).",
            perCall, Math.round(1_000_000 / perCall));
      }
    }
  }
}
