package io.otpflow.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of several nodes, each a {@link KafkaBroker} in its own child JVM: broker and
 * controller in one process (KRaft combined mode), all of them voters of one static controller
 * quorum. Node {@code n} keeps its state in {@code <dataDir>/node-n}, so a cluster started again on
 * the same folder keeps its topics and records.
 *
 * <p>Each node can be stopped, killed (SIGKILL) and restarted on its own, as in production: with 3
 * nodes, one may be down while the controller quorum (2 of 3) and topics with replication factor 3
 * and {@code min.insync.replicas} 2 keep working. Internal topics get the same replication.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(60);
    /** Longer than a single broker's: several JVMs start at once, and on two cores that takes its time. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final List<KafkaBroker> nodes;

    private KafkaCluster(List<KafkaBroker> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts {@code size} nodes on free ports and returns once every one of them is registered with
     * the controllers and serves requests.
     *
     * @throws IllegalStateException if a node does not start (the message has the end of its log);
     *     the nodes already started are killed
     */
    public static KafkaCluster start(Path dataDir, int size, KafkaBroker.JvmProfile profile) {
        if (size < 2) {
            throw new IllegalArgumentException("A cluster has at least 2 nodes; use KafkaBroker.start for one.");
        }
        Path dir = dataDir.toAbsolutePath();
        String clusterId = existingClusterId(dir, size).orElseGet(() -> Uuid.randomUuid().toString());
        List<Integer> ports = distinctFreePorts(2 * size);
        SortedMap<Integer, Integer> voters = new TreeMap<>();
        for (int id = 1; id <= size; id++) {
            voters.put(id, ports.get(size + id - 1));
        }
        List<KafkaBroker> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            nodes.add(KafkaBroker.clusterNode(nodeDir(dir, id), id, ports.get(id - 1), voters, clusterId, profile));
        }
        KafkaCluster cluster = new KafkaCluster(nodes);
        log.info("Starting a Kafka cluster of {} nodes (cluster id {}) with data in {}.", size, clusterId, dir);
        long started = System.nanoTime();
        try {
            // All at once (formatting included): no node is ready before a quorum of controllers is up.
            spawnAll(nodes);
            nodes.forEach(node -> node.awaitReady(READY_TIMEOUT));
            cluster.awaitRegistered(size);
        } catch (RuntimeException e) {
            nodes.forEach(KafkaBroker::kill);
            throw e;
        }
        log.info("The Kafka cluster at {} is ready after {} ms.", cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    /** Every node's client address, comma-separated: clients find the cluster through any live one. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    /** The nodes, in node id order (ids start at 1). */
    public List<KafkaBroker> nodes() {
        return nodes;
    }

    /** The node with that id. */
    public KafkaBroker node(int nodeId) {
        if (nodeId < 1 || nodeId > nodes.size()) {
            throw new IllegalArgumentException("There is no node " + nodeId + " in a cluster of " + nodes.size() + ".");
        }
        return nodes.get(nodeId - 1);
    }

    /** Stops every node cleanly, all at the same time (one by one, the last would wait for a lost quorum). */
    @Override
    public void close() {
        List<Thread> stopping = nodes.stream()
                .map(node -> Thread.ofPlatform().name("kafka-node-" + node.nodeId() + "-stop").start(node::stop))
                .toList();
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits until the controllers list {@code size} live brokers, so topics with that many replicas can be made. */
    private void awaitRegistered(int size) {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "otpflow-embedded-cluster-probe");
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        int seen = 0;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    seen = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
                    if (seen >= size) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // asked again below
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("Only " + seen + " of " + size + " Kafka brokers registered within "
                + REGISTRATION_TIMEOUT.toSeconds() + " s.");
    }

    /** Formats (when new) and starts every node at the same time, each on its own thread. */
    private static void spawnAll(List<KafkaBroker> nodes) {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> spawned = nodes.stream().<Future<?>>map(node -> threads.submit(node::spawn)).toList();
            for (Future<?> future : spawned) {
                future.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the Kafka cluster.", e);
        }
    }

    /** The id of a cluster formatted here before, so a restart joins the same cluster. */
    private static Optional<String> existingClusterId(Path dir, int size) {
        Set<String> ids = new LinkedHashSet<>();
        for (int id = 1; id <= size; id++) {
            KafkaBroker.storedClusterId(nodeDir(dir, id).resolve("kraft-logs")).ifPresent(ids::add);
        }
        if (ids.size() > 1) {
            throw new IllegalStateException("The nodes in " + dir + " belong to different Kafka clusters " + ids
                    + "; delete the folder to start afresh.");
        }
        return ids.stream().findFirst();
    }

    private static Path nodeDir(Path dir, int nodeId) {
        return dir.resolve("node-" + nodeId);
    }

    private static List<Integer> distinctFreePorts(int count) {
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < count) {
            ports.add(FreePort.pick());
        }
        return List.copyOf(ports);
    }
}
