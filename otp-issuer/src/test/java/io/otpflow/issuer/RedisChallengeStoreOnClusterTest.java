package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test of {@link RedisChallengeStoreTest} again, on a real Redis Cluster of 3 masters with a
 * replica each, plus the spend cap: each script's keys must share one slot, or the cluster refuses
 * it with CROSSSLOT. At the end, every Lua script of the issuer must have run here.
 */
class RedisChallengeStoreOnClusterTest extends RedisChallengeStoreTest {
  @TempDir static Path dir;
  private static final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private static RedisClusterFixture cluster;

  // Same names as the superclass's, so JUnit runs these instead of those.
  @BeforeAll
  static void connect() {
    cluster = RedisClusterFixture.start(dir);
    redis = cluster.settings().connect(metrics);
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    cluster.close();
    assertThat(RedisClusterFixture.scriptsNeverRun(metrics, Path.of("src/main/resources/io/otpflow/issuer")))
        .as("issuer scripts never run on the cluster").isEmpty();
  }

  @Test
  void aPushDevicesReportMovesItsVerificationOnTheCluster() {
    String id = "VE" + UUID.randomUUID().toString().replace("-", "");
    redis.hset(io.otpflow.common.RedisKeys.verification(id), java.util.Map.of("tenant", "t-push", "channel", "push",
        "delivery", "queued", "created", "1", "dv:DV1", "queued", "dv:DV2", "queued"));
    RedisChallengeStore store = new RedisChallengeStore(redis, java.time.Duration.ofHours(1));

    assertThat(store.applyPushDelivery(id, "DV1", "sent", null, "apns")).hasValueSatisfying(
        change -> assertThat(change.state()).isEqualTo("sent"));
    assertThat(store.applyPushDelivery(id, "DV2", "failed", "unregistered", "fcm")).isEmpty();
  }

  @Test
  void theSpendCapReservesUntilTheCapOnTheCluster() {
    String id = "cap-" + UUID.randomUUID().toString().substring(0, 8);
    TenantDirectory tenants = TenantDirectory.parse("""
        [{"id": "%s", "api_key": "%s-key", "daily_spend_cap": 0.10}]""".formatted(id, id));
    SmsPrices prices = SmsPrices.parse("{\"currency\": \"USD\", \"default\": 0.04}", "test");
    SpendCap cap = new SpendCap(redis, prices, tenants, new MutableClock(Instant.parse("2026-11-24T12:00:00Z")), metrics);
    Tenant tenant = tenants.all().iterator().next();

    assertThat(cap.reserve(tenant, "44")).isInstanceOf(SpendCap.Result.Admitted.class);
    assertThat(cap.reserve(tenant, "44")).isInstanceOf(SpendCap.Result.Admitted.class);
    assertThat(cap.reserve(tenant, "44")).isInstanceOf(SpendCap.Result.Refused.class);
  }
}
