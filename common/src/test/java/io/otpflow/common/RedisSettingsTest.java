package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisSettingsTest {
  private static RedisSettings settings(Map<String, String> env) {
    return RedisSettings.fromEnv(new Env(env));
  }

  @Test
  void aSingleServerKeepsTodaysFormAndWaitsForNoReplica() {
    RedisSettings s = settings(Map.of("REDIS_URL", "rediss://app:p%40ss@redis.internal:6380/2"));
    RedisEndpoint.Single single = (RedisEndpoint.Single) s.endpoint();
    assertThat(single.node()).isEqualTo(new HostAndPort("redis.internal", 6380));
    assertThat(single.tls()).isTrue();
    assertThat(single.database()).isEqualTo(2);
    assertThat(single.credentials()).isEqualTo(new RedisEndpoint.Credentials("app", "p@ss"));
    assertThat(s.waitReplicas()).isZero();
    assertThat(settings(Map.of()).endpoint()).isEqualTo(
        new RedisEndpoint.Single(new HostAndPort("127.0.0.1", 6379), false, RedisEndpoint.Credentials.NONE, 0));
  }

  @Test
  void aClusterTakesSeveralSeedsAndWaitsForOneReplicaByDefault() {
    RedisSettings s = settings(Map.of("REDIS_URL", "redis-cluster://:secret@10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002"));
    RedisEndpoint.Cluster cluster = (RedisEndpoint.Cluster) s.endpoint();
    assertThat(cluster.seeds()).containsExactly(
        new HostAndPort("10.0.0.1", 7000), new HostAndPort("10.0.0.2", 7001), new HostAndPort("::1", 7002));
    assertThat(cluster.credentials()).isEqualTo(new RedisEndpoint.Credentials(null, "secret"));
    assertThat(s.waitReplicas()).isEqualTo(1);
    assertThat(settings(Map.of("REDIS_URL", "redis-cluster://h:1", "REDIS_WAIT_REPLICAS", "0")).waitReplicas()).isZero();
  }

  @Test
  void sentinelNamesItsMasterAndDatabase() {
    RedisSettings s = settings(Map.of("REDIS_URL", "rediss-sentinel://u:pw@s1,s2:26380/mymaster/3",
        "REDIS_SENTINEL_PASSWORD", "sentinel-secret"));
    RedisEndpoint.Sentinel sentinel = (RedisEndpoint.Sentinel) s.endpoint();
    assertThat(sentinel.sentinels()).containsExactly(new HostAndPort("s1", 26379), new HostAndPort("s2", 26380));
    assertThat(sentinel.master()).isEqualTo("mymaster");
    assertThat(sentinel.database()).isEqualTo(3);
    assertThat(sentinel.tls()).isTrue();
    assertThat(s.waitReplicas()).isEqualTo(1);
  }

  @Test
  void noPasswordIsEverShown() {
    for (String url : List.of("redis://u:hunter2@h:1/1", "redis-cluster://hunter2@a:1,b:2",
        "redis-sentinel://u:hunter2@s:1/m")) {
      RedisSettings s = settings(Map.of("REDIS_URL", url, "REDIS_SENTINEL_PASSWORD", "hunter2"));
      assertThat(s.toString()).doesNotContain("hunter2").contains("***");
      assertThat(s.safeUri()).doesNotContain("hunter2");
      assertThat(s.endpoint().toString()).doesNotContain("hunter2");
    }
    assertThat(settings(Map.of("REDIS_URL", "redis-sentinel://u:hunter2@s:1/m")).safeUri())
        .isEqualTo("redis-sentinel://u:***@s:1/m");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1:6379", "http://h:1", "redis://", "redis://a:1,b:2", "redis://h:99999", "redis://h:x",
      "redis://h/db", "redis-cluster://a:1,,b:2", "redis-cluster://a:1/3", "redis-sentinel://s:1",
      "redis-sentinel://s:1/", "redis-sentinel://s:1/m/1/2", "redis://u:@h", "redis://[::1:6379"})
  void aWrongUrlStopsStartUpWithTheExpectedForms(String url) {
    assertThatThrownBy(() -> settings(Map.of("REDIS_URL", url)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("REDIS_URL is not valid: ")
        .hasMessageContaining("redis-cluster://");
  }

  @Test
  void aReplicaWaitMustEndBeforeTheCommandTimesOut() {
    assertThatThrownBy(() -> settings(Map.of("REDIS_URL", "redis-cluster://h:1", "REDIS_WAIT_TIMEOUT", "2s")))
        .hasMessageContaining("REDIS_WAIT_TIMEOUT must be above 0 and below REDIS_COMMAND_TIMEOUT");
    assertThatThrownBy(() -> settings(Map.of("REDIS_WAIT_REPLICAS", "-1")))
        .hasMessageContaining("REDIS_WAIT_REPLICAS must be from 0 to 16");
    assertThat(settings(Map.of("REDIS_URL", "redis-cluster://h:1", "REDIS_WAIT_TIMEOUT", "200ms")).waitTimeout())
        .isEqualTo(Duration.ofMillis(200));
  }
}
