package io.otpflow.gateway.store;

import io.otpflow.testing.RedisClusterFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every test of {@link WebStoresTest} again, on a real Redis Cluster of 3 masters with a replica
 * each: the hosted pages' stores (people, sessions, trusted browsers, attempts, policy, activity)
 * use single-key commands only, and a person's session or trust index lives in the tenant's slot
 * while the sessions it lists live in their own.
 */
class WebStoresOnClusterTest extends WebStoresTest {
  @TempDir static Path dir;
  private static RedisClusterFixture cluster;

  // Same names as the superclass's, so JUnit runs these instead of those.
  @BeforeAll
  static void connect() {
    cluster = RedisClusterFixture.start(dir);
    redis = cluster.settings().connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    cluster.close();
  }
}
