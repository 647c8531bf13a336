package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code server.properties} of a single-node Kafka cluster in KRaft combined mode: one process
 * is both broker and controller (node id 1), everything is on 127.0.0.1, and every replication
 * factor is 1 so internal topics can be created on a single node.
 *
 * @param port port of the PLAINTEXT listener that clients use
 * @param controllerPort port of the CONTROLLER listener used by the KRaft quorum
 * @param logDir directory holding the topic partitions and the metadata log
 */
record KRaftServerProperties(int port, int controllerPort, Path logDir) {

    static final int NODE_ID = 1;

    /** The file content; paths are absolute so the broker does not depend on its working directory. */
    String render() {
        String logDirs = logDir.toAbsolutePath().toString().replace("\\", "\\\\");
        return String.join("\n",
                "# Written by io.otpflow.embedded.KafkaBroker at every start; edits are overwritten.",
                "process.roles=broker,controller",
                "node.id=" + NODE_ID,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                // Dynamic quorum (KIP-853): the storage is formatted with --standalone.
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "log.dirs=" + logDirs,
                "num.partitions=3",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                // 50 partitions (the default) only slow down the first consumer group on one node.
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // After a SIGKILL the controller keeps the dead incarnation registered until its session
                // times out, and the restarted broker waits for that (9 s by default).
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=3000",
                "");
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
