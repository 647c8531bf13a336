package io.otpflow.testing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import io.otpflow.embedded.EmbeddedRedisCluster;
import io.otpflow.embedded.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Redis Cluster for tests: 3 masters with one replica each, on random ports of 127.0.0.1,
 * its data in a folder the test owns (a JUnit {@code @TempDir}), so nothing is left behind. The
 * nodes are the same redis-server binary {@link RedisFixture} runs. A master unreachable for
 * {@link #NODE_TIMEOUT} is replaced by its replica, so tests that kill one see a failover quickly.
 */
public final class RedisClusterFixture implements AutoCloseable {
    public static final int MASTERS = 3;
    public static final int REPLICAS_PER_MASTER = 1;
    public static final Duration NODE_TIMEOUT = Duration.ofMillis(1_000);

    private final EmbeddedRedisCluster cluster;

    private RedisClusterFixture(EmbeddedRedisCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts a new cluster with its data in {@code dir}; returns once every slot is served and every replica is in sync. */
    public static RedisClusterFixture start(Path dir) {
        return new RedisClusterFixture(EmbeddedRedisCluster.start(dir, MASTERS, REPLICAS_PER_MASTER, NODE_TIMEOUT));
    }

    /** {@code redis-cluster://127.0.0.1:<port>,…}, every node a seed. */
    public String url() {
        return cluster.url();
    }

    /** Client settings for this cluster, waiting for the default one replica on deciding writes. */
    public RedisSettings settings() {
        return new RedisSettings(URI.create(url()), Duration.ofSeconds(2), Duration.ofSeconds(5), 16);
    }

    /** The port of the master serving {@code key} now. */
    public int masterPortOf(String key) {
        return cluster.masterPortOf(key);
    }

    /** The nodes replicating the master on {@code masterPort}. */
    public List<RedisServer> nodesReplicating(int masterPort) {
        return cluster.replicasOf(masterPort);
    }

    /** The ports of the live masters. */
    public List<Integer> masterPorts() {
        return cluster.masterPorts();
    }

    /** The node on {@code port}, to kill ({@link RedisServer#kill()}, SIGKILL) or start again. */
    public RedisServer node(int port) {
        return cluster.node(port);
    }

    /** Waits until every running node says the cluster is ok and {@code replicas} replicas are in sync. */
    public void awaitHealthy(int replicas) {
        cluster.awaitHealthy(replicas);
    }

    /**
     * The Lua scripts in {@code scriptDir} (a module's {@code src/main/resources/...}) that never ran
     * successfully through a client timed into {@code registry}: a script added later without a
     * cluster test shows up here.
     */
    public static Set<String> scriptsNeverRun(MeterRegistry registry, Path scriptDir) {
        Set<String> missing = new TreeSet<>();
        try (Stream<Path> files = Files.list(scriptDir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".lua"))
                    .forEach(n -> missing.add(n.substring(0, n.length() - 4)));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list the Lua scripts in " + scriptDir, e);
        }
        for (Timer timer : registry.find(Metrics.REDIS_COMMANDS).tag(Metrics.TAG_OUTCOME, "ok").timers()) {
            missing.remove(timer.getId().getTag(Metrics.TAG_SCRIPT));
        }
        return missing;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
