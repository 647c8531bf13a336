package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The {@code server.properties} of one node of a Kafka cluster in KRaft combined mode: each process
 * is both broker and controller, and everything is on 127.0.0.1.
 *
 * <p>A single node ({@code voters} empty) uses a dynamic quorum (KIP-853) bootstrapped from its own
 * controller port, and its storage is formatted with {@code --standalone}. Several nodes use a static
 * quorum, {@code controller.quorum.voters}: every node knows every voter's id and port from its
 * configuration alone, so the storage is formatted with the shared cluster id and nothing else, and a
 * cluster started again on new ports needs no change to its metadata log.
 *
 * <p>Internal topics (consumer offsets, transactions) get the same replication as the platform's
 * topics: the cluster size, at most 3, with {@code min.insync.replicas} one less, at least 1.
 *
 * @param nodeId this node's id, which is also its voter id
 * @param port port of the PLAINTEXT listener that clients use
 * @param controllerPort port of the CONTROLLER listener used by the KRaft quorum
 * @param logDir directory holding the topic partitions and the metadata log
 * @param voters controller port of every node by node id (this one included); empty for a single node
 */
record KRaftServerProperties(int nodeId, int port, int controllerPort, Path logDir, SortedMap<Integer, Integer> voters) {

    /** The node id of a single-node cluster. */
    static final int SINGLE_NODE_ID = 1;

    KRaftServerProperties {
        voters = new TreeMap<>(voters);
        if (!voters.isEmpty() && !Integer.valueOf(controllerPort).equals(voters.get(nodeId))) {
            throw new IllegalArgumentException("Node " + nodeId + " must be among the voters " + voters + " with its own controller port.");
        }
    }

    /** A single-node cluster's node. */
    static KRaftServerProperties singleNode(int port, int controllerPort, Path logDir) {
        return new KRaftServerProperties(SINGLE_NODE_ID, port, controllerPort, logDir, new TreeMap<>());
    }

    boolean standalone() {
        return voters.isEmpty();
    }

    /** The file content; paths are absolute so the broker does not depend on its working directory. */
    String render() {
        String logDirs = logDir.toAbsolutePath().toString().replace("\\", "\\\\");
        int nodes = standalone() ? 1 : voters.size();
        int replication = Math.min(3, nodes);
        int minInsync = Math.max(1, Math.min(2, replication - 1));
        return String.join("\n",
                "# Written by io.otpflow.embedded.KafkaBroker at every start; edits are overwritten.",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                quorum(),
                "log.dirs=" + logDirs,
                "num.partitions=3",
                "default.replication.factor=" + replication,
                "min.insync.replicas=" + minInsync,
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=" + replication,
                // 50 partitions (the default) only slow down the first consumer group on a small cluster.
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=" + replication,
                "transaction.state.log.min.isr=" + minInsync,
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=" + replication,
                "share.coordinator.state.topic.min.isr=" + minInsync,
                "group.initial.rebalance.delay.ms=0",
                // After a SIGKILL the controller keeps the dead incarnation registered until its session
                // times out, and the restarted broker waits for that (9 s by default).
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=3000",
                // A broker not registered within this time exits (60 s by default). Several nodes starting
                // at once on two busy cores have been seen to need longer; the readiness wait is 120 s.
                "initial.broker.registration.timeout.ms=120000",
                "");
    }

    private String quorum() {
        if (standalone()) {
            // Dynamic quorum (KIP-853): the storage is formatted with --standalone.
            return "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort;
        }
        return "controller.quorum.voters=" + voters.entrySet().stream()
                .map(voter -> voter.getKey() + "@127.0.0.1:" + voter.getValue())
                .collect(Collectors.joining(","));
    }

    /** Writes (or overwrites) the file. */
    void writeTo(Path file) {
        try {
            Files.writeString(file, render(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the Kafka configuration to " + file, e);
        }
    }
}
