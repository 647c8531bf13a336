package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Every test of {@link RedisAnswerTest} again, on a real Redis Cluster of 3 masters with a replica each. */
class RedisAnswerOnClusterTest extends RedisAnswerTest {
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
    assertThat(RedisClusterFixture.scriptsNeverRun(metrics, Path.of("src/main/resources/io/otpflow/verifier")))
        .as("verifier scripts never run on the cluster").doesNotContain("answer");
  }
}
