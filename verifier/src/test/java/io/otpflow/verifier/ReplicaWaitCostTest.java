package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.CodeMac;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import io.otpflow.testing.RedisClusterFixture;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * What waiting for a replica costs a check: p50 and p99 of {@code check.lua} approving a code, one
 * at a time, on one server, on the 3+3 cluster without WAIT, and on the cluster with WAIT for one
 * replica; logged, not asserted (timings vary with the machine). Runs with {@code -Pchaos}, beside the
 * failover test, because it takes a while and measures rather than checks.
 */
@Tag("chaos")
class ReplicaWaitCostTest {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaWaitCostTest.class);
  private static final CodeMac MAC = new CodeMac("verifier test key, thirty-two bytes or more".getBytes(StandardCharsets.UTF_8));
  private static final int WARM_UP = 1_000;
  private static final int MEASURED = 3_000;

  @TempDir Path dir;

  @Test
  void logsWhatTheReplicaWaitCostsACheck() {
    RedisSettings single = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 8);
    try (RedisClusterFixture cluster = RedisClusterFixture.start(dir)) {
      String[] rows = {
          measure("one server, no WAIT", single),
          measure("cluster, no WAIT", cluster.settings().withWait(0, Duration.ofMillis(500))),
          measure("cluster, WAIT 1 replica", cluster.settings()),
      };
      LOG.info("check.lua approving a code, {} sequential calls each:\n{}", MEASURED, String.join("\n", rows));
    }
  }

  private static String measure(String name, RedisSettings settings) {
    try (UnifiedJedis redis = settings.connect()) {
      RedisCheckStore store = new RedisCheckStore(redis, MAC);
      String tenant = "t-" + UUID.randomUUID();
      run(redis, store, tenant, WARM_UP);
      long[] micros = run(redis, store, tenant, MEASURED);
      Arrays.sort(micros);
      return String.format("| %s | %d µs | %d µs | %d µs |", name, micros[micros.length / 2],
          micros[(int) (micros.length * 0.99)], micros[micros.length - 1]);
    }
  }

  private static long[] run(UnifiedJedis redis, RedisCheckStore store, String tenant, int n) {
    long[] micros = new long[n];
    for (int i = 0; i < n; i++) {
      String id = "VE" + UUID.randomUUID().toString().replace("-", "");
      Instant now = Instant.now();
      redis.hset(RedisKeys.verification(id), Map.of(Field.TENANT, tenant, Field.MAC, "mac", Field.STATUS, "pending",
          Field.EXPIRES, Long.toString(now.plusSeconds(60).toEpochMilli()), Field.ATTEMPTS, "0", Field.MAX_ATTEMPTS, "5"));
      redis.pexpire(RedisKeys.verification(id), 60_000);
      long start = System.nanoTime();
      RedisCheckStore.Result result = store.check(tenant, id, "mac", now, UUID.randomUUID().toString());
      micros[i] = (System.nanoTime() - start) / 1_000;
      assertThat(result.outcome()).isEqualTo("approved");
    }
    return micros;
  }
}
