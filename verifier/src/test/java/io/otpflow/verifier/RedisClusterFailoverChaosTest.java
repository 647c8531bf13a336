package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.CodeMac;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.RedisSettings;
import java.net.URI;
import io.otpflow.embedded.RedisServer;
import io.otpflow.testing.RedisClusterFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.otpflow.common.accounts.AccountRegistryReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A master of a real 3+3 Redis Cluster is SIGKILLed while checks and TOTP steps run through the
 * verifier's stores, its replica lagging behind. With the client waiting for one replica after each
 * decision (the cluster default): no code approved twice, no acknowledged approval lost, every TOTP
 * step accepted at most once and none acknowledged lost. Without the wait, the same run loses
 * decisions, which shows the test can see it. The failover times are measured and logged. Runs only
 * with {@code -Pchaos}.
 */
@Tag("chaos")
class RedisClusterFailoverChaosTest {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterFailoverChaosTest.class);
  private static final CodeMac MAC = new CodeMac("verifier test key, thirty-two bytes or more".getBytes(StandardCharsets.UTF_8));
  private static final int VERIFICATIONS = 1_000;
  private static final int ACCOUNTS = 30;
  private static final int STEPS = 20;
  private static final Duration GIVE_UP = Duration.ofSeconds(60);
  private static final Duration STALL = Duration.ofSeconds(3);

  @TempDir Path dir;

  private final Map<String, AtomicInteger> acknowledgedApprovals = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> acknowledgedSteps = new ConcurrentHashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicLong lastFailureNanos = new AtomicLong();
  /** The longest any one operation took until answered, retries inside the client and ours included. */
  private final AtomicLong longestNanos = new AtomicLong();
  private final java.util.concurrent.CountDownLatch cutOff = new java.util.concurrent.CountDownLatch(1);

  /** What went wrong in one run: each count must be zero when decisions wait for a replica. */
  record Violations(long approvedTwice, long approvalsLost, long stepsTwice, long stepsLost) {
    long total() {
      return approvedTwice + approvalsLost + stepsTwice + stepsLost;
    }
  }

  @Test
  void noDecisionIsLostOrMadeTwiceWhenAMasterDies() throws Exception {
    Violations violations = killAMasterDuringChecks(1);

    assertThat(violations).isEqualTo(new Violations(0, 0, 0, 0));
    assertThat(acknowledgedApprovals).as("approvals acknowledged").hasSizeGreaterThan(VERIFICATIONS / 2);
  }

  /** The same run without WAIT: shows that this test sees a lost decision when one is lost. */
  @Test
  void withoutTheReplicaWaitAcknowledgedDecisionsAreLost() throws Exception {
    Violations violations = killAMasterDuringChecks(0);

    assertThat(violations.total()).as("decisions lost or made twice without WAIT").isPositive();
  }

  /**
   * Checks and TOTP steps on 4 workers; a third of the way in, the replica of one master is stalled
   * (DEBUG SLEEP) and its replication link cut, and once the next decisions were answered or failed,
   * that master is SIGKILLed; when its replica is master, the dead node is started again, as
   * an orchestrator would (until then the promoted master has no replica and WAIT fails closed).
   */
  private Violations killAMasterDuringChecks(int waitReplicas) throws Exception {
    try (RedisClusterFixture cluster = RedisClusterFixture.start(dir);
        UnifiedJedis redis = productionLike(cluster).withWait(waitReplicas, Duration.ofMillis(500)).connect()) {
      String tenant = "t-" + UUID.randomUUID();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < VERIFICATIONS; i++) {
        ids.add(pending(redis, tenant));
      }
      AccountStore accounts = new AccountStore(redis, MAC);
      for (int a = 0; a < ACCOUNTS; a++) {
        AccountStore.Snapshot empty = accounts.read(tenant, "user-" + a);
        accounts.write(tenant, "user-" + a, empty, new AccountStore.Change().put(AccountField.FACTOR + "F1", "{}"));
      }
      RedisCheckStore store = new RedisCheckStore(redis, MAC);
      AtomicInteger done = new AtomicInteger();
      ExecutorService workers = Executors.newFixedThreadPool(9);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          int worker = w;
          running.add(workers.submit(() -> checks(store, tenant, ids, worker, done)));
          running.add(workers.submit(() -> steps(accounts, tenant, worker)));
        }
        await().atMost(GIVE_UP).until(() -> done.get() >= VERIFICATIONS / 3 - 4);
        RedisServer victim = cluster.node(cluster.masterPortOf(RedisKeys.verification(ids.get(ids.size() - 1))));
        int killedPort = victim.port();
        RedisServer replica = cluster.nodesReplicating(killedPort).getFirst();
        workers.submit(() -> stall(replica));
        await().atMost(GIVE_UP).pollInterval(Duration.ofMillis(10)).until(() -> !answersAtOnce(replica));
        try (Jedis master = new Jedis(victim.host(), victim.port())) {
          // Cut the replication link: what the master writes from now on is on the master only.
          master.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "replica");
        }
        cutOff.countDown();
        int doneBefore = done.get();
        int failedBefore = failures.get();
        await().atMost(GIVE_UP).pollInterval(Duration.ofMillis(10))
            .until(() -> done.get() >= doneBefore + 40 || failures.get() > failedBefore);
        long killedAt = System.nanoTime();
        victim.kill();
        LOG.info("Killed the master on port {} (SIGKILL) after {} checks, its replica cut off.", killedPort, done.get());
        await().atMost(GIVE_UP).until(() -> !cluster.masterPorts().contains(killedPort)
            && cluster.masterPorts().size() == RedisClusterFixture.MASTERS);
        long promotedMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        victim.start();
        cluster.awaitHealthy(RedisClusterFixture.MASTERS * RedisClusterFixture.REPLICAS_PER_MASTER);
        long restoredMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
        for (Future<?> f : running) {
          f.get();
        }
        long lastFailureMs = Duration.ofNanos(Math.max(0, lastFailureNanos.get() - killedAt)).toMillis();
        LOG.info("Failover with REDIS_WAIT_REPLICAS={}: the replica was master {} ms after the kill (cluster-node-timeout"
            + " {} ms, replica stalled {} ms); the restarted node was its in-sync replica after {} ms; {} operations"
            + " failed (503 to a caller), the last {} ms after the kill; the longest operation took {} ms until answered;"
            + " {} approvals and {} TOTP steps acknowledged.", waitReplicas, promotedMs,
            RedisClusterFixture.NODE_TIMEOUT.toMillis(), STALL.toMillis(), restoredMs, failures.get(), lastFailureMs,
            Duration.ofNanos(longestNanos.get()).toMillis(), acknowledgedApprovals.size(), acknowledgedSteps.size());
      } finally {
        workers.shutdownNow();
      }
      Violations violations = violations(redis, tenant);
      LOG.info("Decisions lost or made twice with REDIS_WAIT_REPLICAS={}: {}.", waitReplicas, violations);
      return violations;
    }
  }

  private Violations violations(UnifiedJedis redis, String tenant) {
    long approvedTwice = acknowledgedApprovals.values().stream().filter(n -> n.get() > 1).count();
    long approvalsLost = acknowledgedApprovals.keySet().stream()
        .filter(id -> !"approved".equals(redis.hget(RedisKeys.verification(id), Field.STATUS))).count();
    long stepsTwice = acknowledgedSteps.values().stream().filter(n -> n.get() > 1).count();
    long stepsLost = acknowledgedSteps.keySet().stream().filter(accountStep -> {
      String[] parts = accountStep.split("#");
      String stored = redis.hget(RedisKeys.account(tenant, AccountRegistryReader.accountMac(MAC, tenant, parts[0])),
          AccountField.STEP + "F1");
      return stored == null || Long.parseLong(stored) < Long.parseLong(parts[1]);
    }).count();
    return new Violations(approvedTwice, approvalsLost, stepsTwice, stepsLost);
  }

  private static boolean answersAtOnce(RedisServer node) {
    try (Jedis probe = new Jedis(node.host(), node.port(), 200)) {
      return "PONG".equals(probe.ping());
    } catch (JedisException e) {
      return false;
    }
  }

  /** Keeps the replica from reconnecting to its master for a while (a slow network or disk would). */
  private static void stall(RedisServer replica) {
    try (Jedis node = new Jedis(replica.host(), replica.port(), (int) STALL.multipliedBy(3).toMillis())) {
      node.sendCommand(() -> "DEBUG".getBytes(StandardCharsets.US_ASCII), "SLEEP", Double.toString(STALL.toMillis() / 1000.0));
    }
  }

  /** Each verification is checked with its right code twice, by two workers, until both calls are answered. */
  private void checks(RedisCheckStore store, String tenant, List<String> ids, int worker, AtomicInteger done) {
    for (int i = worker % 2; i < ids.size(); i += 2) {
      if (i >= ids.size() / 3) {
        passGate();
      }
      String id = ids.get(i);
      RedisCheckStore.Result result = untilAnswered(() -> store.check(tenant, id, "mac-" + id, Instant.now(), UUID.randomUUID().toString()));
      if (result != null && "approved".equals(result.outcome())) {
        acknowledgedApprovals.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
      done.incrementAndGet();
    }
  }

  /** Every step of every account is offered twice (two workers); each may be accepted once. */
  private void steps(AccountStore accounts, String tenant, int worker) {
    for (int step = 1; step <= STEPS; step++) {
      if (step > STEPS / 3) {
        passGate();
      }
      for (int a = worker % 2; a < ACCOUNTS; a += 2) {
        String account = "user-" + a;
        long s = step;
        Boolean accepted = untilAnswered(() -> accounts.acceptStep(tenant, account, "F1", s));
        if (Boolean.TRUE.equals(accepted)) {
          acknowledgedSteps.computeIfAbsent(account + "#" + s, k -> new AtomicInteger()).incrementAndGet();
        }
      }
    }
  }

  /** Holds the workers a third of the way in until the replica is cut off, so plenty of work follows. */
  private void passGate() {
    try {
      cutOff.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Retries while Redis fails (as a caller retries a 503); null when it never answered in time. */
  private <T> T untilAnswered(java.util.function.Supplier<T> call) {
    long start = System.nanoTime();
    long deadline = start + GIVE_UP.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        T answer = call.get();
        longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        return answer;
      } catch (JedisException e) {
        failures.incrementAndGet();
        lastFailureNanos.set(System.nanoTime());
      }
    }
    return null;
  }

  /** The services' default timeouts (connect 500 ms, command 1 s), so a caller waits as long as in production. */
  private static RedisSettings productionLike(RedisClusterFixture cluster) {
    return new RedisSettings(URI.create(cluster.url()), Duration.ofMillis(500), Duration.ofSeconds(1), 16);
  }

  private static String pending(UnifiedJedis redis, String tenant) {
    String id = "VE" + UUID.randomUUID().toString().replace("-", "");
    Instant now = Instant.now();
    redis.hset(RedisKeys.verification(id), Map.of(Field.TENANT, tenant, Field.CHANNEL, "sms", Field.MAC, "mac-" + id,
        Field.STATUS, "pending", Field.CREATED, Long.toString(now.toEpochMilli()),
        Field.EXPIRES, Long.toString(now.plus(Duration.ofMinutes(10)).toEpochMilli()), Field.ATTEMPTS, "0",
        Field.MAX_ATTEMPTS, "5"));
    redis.pexpire(RedisKeys.verification(id), Duration.ofMinutes(10).toMillis());
    return id;
  }
}
