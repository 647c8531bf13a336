package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeMac;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisNotReplicatedException;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * Every test of {@link RedisCheckStoreTest} again on a real Redis Cluster of 3 masters with a replica
 * each, with the client waiting for one replica after each deciding script (the cluster default);
 * then the account registry's scripts, the proof, and what happens when a decision cannot reach
 * enough replicas. At the end every verifier script must have run here ({@code answer.lua}: in
 * {@link RedisAnswerOnClusterTest}).
 */
class RedisCheckStoreOnClusterTest extends RedisCheckStoreTest {
  private static final CodeMac MAC = new CodeMac("verifier test key, thirty-two bytes or more".getBytes(StandardCharsets.UTF_8));
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
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
        .as("verifier scripts never run on the cluster").containsOnly("answer");
  }

  @Test
  void aDecisionIsOnItsReplicaBeforeTheAnswerGoesOut() {
    String id = approvedVerification("t-" + UUID.randomUUID(), "acct");
    String key = RedisKeys.verification(id);
    long waitsBefore = waits();

    assertThat(new RedisCheckStore(redis, MAC).useAsProof(tenantOf(id), "acct", id, NOW, Duration.ofMinutes(5))).isTrue();

    assertThat(waits()).isEqualTo(waitsBefore + 1);
    assertThat(readFromReplica(key, Field.PROOF_USED)).isEqualTo(Long.toString(NOW.toEpochMilli()));
  }

  @Test
  void whenTooFewReplicasAcknowledgeTheDecisionFailsClosed() {
    String id = approvedVerification("t-" + UUID.randomUUID(), "acct");
    // Each master here has one replica: asking for two can never be met.
    try (UnifiedJedis demanding = cluster.settings().withWait(2, Duration.ofMillis(200)).connect()) {
      RedisCheckStore store = new RedisCheckStore(demanding, MAC);
      assertThatThrownBy(() -> store.useAsProof(tenantOf(id), "acct", id, NOW, Duration.ofMinutes(5)))
          .isInstanceOf(RedisNotReplicatedException.class)
          .hasMessageContaining("to 1 of the 2 required replicas");
    }
  }

  @Test
  void theAccountRegistrysScriptsRunInTheAccountsSlot() {
    String tenant = "t-" + UUID.randomUUID();
    AccountStore accounts = new AccountStore(redis, MAC);
    AccountStore.Snapshot empty = accounts.read(tenant, "alice");
    assertThat(accounts.write(tenant, "alice", empty,
        new AccountStore.Change().put(AccountField.FACTOR + "F1", "{}").put(AccountField.RECOVERY + "ab", "hash-1")))
        .isTrue();
    assertThat(accounts.write(tenant, "alice", empty, new AccountStore.Change().put("x", "y"))).isFalse();

    assertThat(accounts.acceptStep(tenant, "alice", "F1", 100)).isTrue();
    assertThat(accounts.acceptStep(tenant, "alice", "F1", 100)).isFalse();
    assertThat(accounts.acceptStep(tenant, "alice", "F1", 101)).isTrue();
    assertThat(accounts.consumeRecoveryCode(tenant, "alice", AccountField.RECOVERY + "ab", "hash-1", NOW)).isTrue();
    assertThat(accounts.consumeRecoveryCode(tenant, "alice", AccountField.RECOVERY + "ab", "hash-1", NOW)).isFalse();
  }

  private static String approvedVerification(String tenant, String account) {
    String id = "VE" + UUID.randomUUID().toString().replace("-", "");
    redis.hset(RedisKeys.verification(id), Map.of(Field.TENANT, tenant, Field.ACCOUNT, account, Field.STATUS, "approved",
        Field.APPROVED_AT, Long.toString(NOW.minusSeconds(10).toEpochMilli())));
    redis.pexpire(RedisKeys.verification(id), Duration.ofMinutes(5).toMillis());
    return id;
  }

  private static String tenantOf(String id) {
    return redis.hget(RedisKeys.verification(id), Field.TENANT);
  }

  private static long waits() {
    return metrics.find(Metrics.REDIS_COMMANDS).tag(Metrics.TAG_COMMAND, "wait").tag(Metrics.TAG_OUTCOME, "ok")
        .timers().stream().mapToLong(t -> t.count()).sum();
  }

  /** Reads from a replica of the key's master: what a failover to that replica would keep. */
  private static String readFromReplica(String key, String field) {
    int master = cluster.masterPortOf(key);
    for (var node : cluster.nodesReplicating(master)) {
      try (Jedis replica = new Jedis(node.host(), node.port())) {
        replica.readonly();
        return replica.hget(key, field);
      }
    }
    throw new AssertionError("The master on " + master + " has no replica");
  }
}
