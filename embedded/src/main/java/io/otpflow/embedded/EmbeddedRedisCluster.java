package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster on 127.0.0.1: {@code masters} masters, each with {@code replicasPerMaster}
 * replicas, every node a {@link RedisServer} with its data (append-only file, {@code nodes.conf}) in
 * {@code node-<i>} under one data folder. For {@code ./otpflow up --ha} and for tests that kill
 * masters.
 *
 * <p>The first start assigns the 16384 slots evenly to the masters, introduces the nodes to each
 * other (CLUSTER MEET) and makes the replicas follow their masters (CLUSTER REPLICATE), then records
 * the ports in {@code ports}. A later start on the same folder reuses those ports and the nodes'
 * own {@code nodes.conf}, so the cluster comes back as it was left, failovers included.
 *
 * <p>Replicas take over whatever their data's age ({@code cluster-replica-validity-factor 0}): on
 * one machine a replica that lost its master for a while is still the best copy there is.
 */
public final class EmbeddedRedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisCluster.class);
    private static final int SLOTS = 16_384;
    private static final int BUS_PORT_OFFSET = 10_000;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final List<RedisServer> nodes;
    private final int masters;

    private EmbeddedRedisCluster(List<RedisServer> nodes, int masters) {
        this.nodes = nodes;
        this.masters = masters;
    }

    /**
     * Starts the cluster and returns once every node says {@code cluster_state:ok} and every replica
     * is in sync with its master.
     *
     * @param nodeTimeout how long a master may be unreachable before its replica takes over
     * @throws IllegalStateException if the cluster is not ready within 60 s, saying which node is not
     */
    public static EmbeddedRedisCluster start(Path dataDir, int masters, int replicasPerMaster, Duration nodeTimeout) {
        if (masters < 3) {
            throw new IllegalArgumentException("A Redis Cluster needs at least 3 masters to elect, got " + masters);
        }
        Path portsFile = dataDir.toAbsolutePath().resolve("ports");
        int size = masters * (1 + replicasPerMaster);
        boolean existing = Files.exists(portsFile);
        List<Integer> ports = existing ? readPorts(portsFile, size) : pickPorts(size);
        List<String> settings = List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
                "--cluster-replica-validity-factor", "0");
        List<RedisServer> nodes = new ArrayList<>();
        EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(nodes, masters);
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(RedisServer.start(dataDir.resolve("node-" + i), ports.get(i), settings));
            }
            if (!existing) {
                cluster.form(replicasPerMaster);
                writePorts(portsFile, ports);
            }
            cluster.awaitHealthy(masters * replicasPerMaster);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        log.info("Redis Cluster {} is ready ({} masters, {} replicas each).", cluster.url(), masters, replicasPerMaster);
        return cluster;
    }

    /** {@code redis-cluster://127.0.0.1:<port>,…} with every node as a seed, for REDIS_URL. */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** Every node, masters first as they were formed; which one is master now: {@link #masterPorts()}. */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The node listening on {@code port}. */
    public RedisServer node(int port) {
        return nodes.stream().filter(n -> n.port() == port).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No node of this cluster listens on " + port));
    }

    /** The ports of the masters that serve slots now, as a live node sees the cluster. */
    public List<Integer> masterPorts() {
        List<Integer> ports = new ArrayList<>();
        for (String line : clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                ports.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@'))));
            }
        }
        return ports;
    }

    /** The nodes that replicate the master on {@code masterPort} now. */
    public List<RedisServer> replicasOf(int masterPort) {
        List<String[]> lines = clusterNodes().lines().map(l -> l.trim().split(" ")).filter(f -> f.length > 7).toList();
        String masterId = lines.stream().filter(f -> portOf(f) == masterPort).map(f -> f[0]).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No node of this cluster listens on " + masterPort));
        return lines.stream().filter(f -> f[3].equals(masterId)).map(f -> node(portOf(f))).toList();
    }

    private static int portOf(String[] clusterNodesLine) {
        String address = clusterNodesLine[1];
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1, address.indexOf('@')));
    }

    /** The port of the master that serves {@code key}'s slot now. */
    public int masterPortOf(String key) {
        int slot = Integer.parseInt(RedisCall.send(nodes.stream().filter(RedisServer::isRunning).findFirst()
                .orElseThrow().port(), "CLUSTER", "KEYSLOT", key));
        for (String line : clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                for (int i = 8; i < f.length; i++) {
                    String[] range = f[i].split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        return Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
                    }
                }
            }
        }
        throw new IllegalStateException("No live master serves slot " + slot + " of Redis Cluster " + url());
    }

    /**
     * Waits until every running node says {@code cluster_state:ok} and {@code replicas} replicas are
     * connected and in sync: after a start, or after a killed master's replica took over.
     */
    public void awaitHealthy(int replicas) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String problem;
        while ((problem = unhealthy(replicas)) != null) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Redis Cluster " + url() + " is not ready after "
                        + READY_TIMEOUT.toSeconds() + " s: " + problem);
            }
            pause();
        }
    }

    /** Stops every node (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        nodes.forEach(RedisServer::stop);
    }

    private void form(int replicasPerMaster) {
        for (int m = 0; m < masters; m++) {
            int from = m * SLOTS / masters;
            int to = (m + 1) * SLOTS / masters;
            List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
            IntStream.range(from, to).forEach(slot -> command.add(Integer.toString(slot)));
            RedisCall.send(nodes.get(m).port(), command.toArray(String[]::new));
        }
        for (RedisServer node : nodes.subList(1, nodes.size())) {
            RedisCall.send(nodes.get(0).port(), "CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
        }
        awaitUntil(() -> nodes.stream().allMatch(n -> knowsAll(n.port())), "the nodes did not all meet");
        for (int r = masters; r < nodes.size(); r++) {
            String masterId = RedisCall.send(nodes.get((r - masters) % masters).port(), "CLUSTER", "MYID");
            RedisCall.send(nodes.get(r).port(), "CLUSTER", "REPLICATE", masterId);
        }
    }

    private boolean knowsAll(int port) {
        String view = RedisCall.send(port, "CLUSTER", "NODES");
        return view.lines().filter(l -> !l.isBlank() && !l.contains("handshake") && !l.contains("noaddr")).count()
                == nodes.size();
    }

    private String unhealthy(int replicas) {
        int online = 0;
        for (RedisServer node : nodes) {
            if (!node.isRunning()) {
                continue;
            }
            String info;
            String replication;
            String view;
            try {
                info = RedisCall.send(node.port(), "CLUSTER", "INFO");
                replication = RedisCall.send(node.port(), "INFO", "replication");
                view = clusterNodes(node);
            } catch (UncheckedIOException e) {
                return "node " + node.port() + " does not answer";
            }
            if (!info.contains("cluster_state:ok")) {
                return "node " + node.port() + " says " + info.lines().findFirst().orElse("nothing");
            }
            // Roles travel by gossip: a replica may be in sync before every node knows it replicates.
            long known = view.lines().map(l -> l.trim().split(" "))
                    .filter(f -> f.length > 7 && f[2].contains("slave") && !f[2].contains("fail") && f[7].equals("connected"))
                    .count();
            if (known < replicas) {
                return "node " + node.port() + " knows " + known + " of " + replicas + " replicas";
            }
            online += (int) replication.lines().filter(l -> l.startsWith("slave") && l.contains("state=online")).count();
        }
        return online >= replicas ? null : online + " of " + replicas + " replicas are in sync";
    }

    private static String clusterNodes(RedisServer node) {
        return RedisCall.send(node.port(), "CLUSTER", "NODES");
    }

    private String clusterNodes() {
        for (RedisServer node : nodes) {
            if (node.isRunning()) {
                return clusterNodes(node);
            }
        }
        throw new IllegalStateException("No node of Redis Cluster " + url() + " is running.");
    }

    private void awaitUntil(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Redis Cluster " + url() + ": " + failure + " within "
                        + READY_TIMEOUT.toSeconds() + " s.");
            }
            pause();
        }
    }

    /** Ports whose cluster bus port (+10000) is free as well. */
    private static List<Integer> pickPorts(int count) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = FreePort.pick();
            if (port + BUS_PORT_OFFSET <= 65_535 && FreePort.isFree(port + BUS_PORT_OFFSET) && !ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static List<Integer> readPorts(Path file, int count) {
        try {
            List<Integer> ports = Arrays.stream(Files.readString(file).trim().split(",")).map(Integer::valueOf).toList();
            if (ports.size() != count) {
                throw new IllegalStateException(file + " lists " + ports.size() + " nodes, but " + count
                        + " were asked for; start with the same shape or an empty data folder.");
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the cluster's ports from " + file, e);
        }
    }

    private static void writePorts(Path file, List<Integer> ports) {
        try {
            Files.writeString(file, ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not record the cluster's ports in " + file, e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Redis Cluster", e);
        }
    }
}
