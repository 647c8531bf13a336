package io.otpflow.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test of {@link RedisPushStateTest} again, on a real Redis Cluster of 3 masters with a replica
 * each; at the end every push-dispatcher script must have run here.
 */
class RedisPushStateOnClusterTest extends RedisPushStateTest {
  @TempDir static Path dir;
  private static final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private static RedisClusterFixture cluster;

  // Same names as the superclass's, so JUnit runs these instead of those.
  @BeforeAll
  static void connect() {
    cluster = RedisClusterFixture.start(dir);
    redis = cluster.settings().connect(metrics);
    state = new RedisPushState(redis);
  }

  @AfterAll
  static void close() {
    redis.close();
    cluster.close();
    assertThat(RedisClusterFixture.scriptsNeverRun(metrics, Path.of("src/main/resources/io/otpflow/push")))
        .as("push-dispatcher scripts never run on the cluster").isEmpty();
  }
}
