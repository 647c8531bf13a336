package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes in child JVMs, one controller quorum: a topic with replication factor 3 and
 * min.insync.replicas 2 keeps taking acks=all writes, and serving reads, while its leader is killed,
 * and the killed node catches up when it comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private KafkaCluster cluster;
    private Admin admin;

    @BeforeAll
    void startCluster(@TempDir Path dataDir) {
        cluster = KafkaCluster.start(dataDir, 3, KafkaBroker.JvmProfile.QUICK_START);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    void stopCluster() {
        admin.close();
        cluster.close();
    }

    @Test
    void aTopicWithThreeReplicasSurvivesTheLossOfItsLeaderAndTheNodeCatchesUpAfterItsRestart() throws Exception {
        String topic = "cluster-test-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(30, TimeUnit.SECONDS);
        awaitFullIsr(topic);
        produce(topic, "before-kill");

        KafkaBroker leader = cluster.node(leaderOfPartitionZero(topic));
        long killedPid = leader.pid();
        leader.kill();
        assertThat(leader.isRunning()).isFalse();
        assertThat(ProcessHandle.of(killedPid)).isEmpty();
        Awaitility.await("a new leader for partition 0").atMost(WAIT).ignoreExceptions()
                .until(() -> leaderOfPartitionZero(topic) != leader.nodeId());

        produce(topic, "while-down"); // acks=all: the two replicas left are enough for min.insync.replicas 2
        assertThat(readAll(topic, 2)).containsExactlyInAnyOrder("before-kill", "while-down");

        leader.restart();
        assertThat(leader.pid()).isNotEqualTo(killedPid);
        awaitFullIsr(topic);
        produce(topic, "after-restart");
        assertThat(readAll(topic, 3)).containsExactlyInAnyOrder("before-kill", "while-down", "after-restart");
        assertThat(describe(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).hasSize(3));
    }

    @Test
    void theControllerQuorumOfTwoOutOfThreeKeepsTheClusterManageable() throws Exception {
        KafkaBroker node = cluster.node(2);
        node.stop();
        try {
            // Creating a topic needs the active controller; two voters of three still elect one.
            String topic = "cluster-test-" + UUID.randomUUID();
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 2))).all().get(30, TimeUnit.SECONDS);
            produce(topic, "two-nodes");
            assertThat(readAll(topic, 1)).containsExactly("two-nodes");
        } finally {
            node.restart();
        }
        Awaitility.await("3 live brokers").atMost(WAIT).ignoreExceptions()
                .until(() -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 3);
    }

    private int leaderOfPartitionZero(String topic) throws Exception {
        Node leader = describe(topic).partitions().get(0).leader();
        if (leader == null || leader.isEmpty()) {
            throw new IllegalStateException("partition 0 of " + topic + " has no leader yet");
        }
        return leader.id();
    }

    private TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    private void awaitFullIsr(String topic) {
        Awaitility.await("every replica of " + topic + " in sync").atMost(WAIT).ignoreExceptions()
                .until(() -> describe(topic).partitions().stream().map(TopicPartitionInfo::isr).allMatch(isr -> isr.size() == 3));
    }

    private void produce(String topic, String value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Could not produce to " + topic, e);
        }
    }

    private List<String> readAll(String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return values.size() >= expected;
            });
        }
        return values;
    }
}
