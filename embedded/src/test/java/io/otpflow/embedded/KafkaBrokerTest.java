package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
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
 * Runs one real broker in a child JVM for the whole class (each start costs a few seconds) and
 * checks that records survive a clean stop and a SIGKILL, on the same port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaBrokerTest {

    private KafkaBroker broker;

    @BeforeAll
    void startBroker(@TempDir Path dataDir) {
        broker = KafkaBroker.start(dataDir, 0);
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    @Test
    void servesProduceAndConsumeOnAnAutoCreatedTopic() {
        String topic = uniqueTopic();

        produce(topic, "hello");

        assertThat(broker.isRunning()).isTrue();
        assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
        assertThat(readAll(topic, 1)).containsExactly("hello");
    }

    @Test
    void keepsRecordsAndPortAcrossACleanStop() {
        String topic = uniqueTopic();
        String bootstrap = broker.bootstrapServers();
        produce(topic, "before-stop");

        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        assertThat(accepts(broker.port())).isFalse();

        broker.restart();
        assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(readAll(topic, 1)).containsExactly("before-stop");
    }

    @Test
    void keepsRecordsAcrossAKill() {
        String topic = uniqueTopic();
        produce(topic, "before-kill");

        broker.kill();
        assertThat(broker.isRunning()).isFalse();

        broker.restart();
        produce(topic, "after-kill");
        assertThat(readAll(topic, 2)).containsExactlyInAnyOrder("before-kill", "after-kill");
    }

    @Test
    void refusesAPortThatIsAlreadyInUse(@TempDir Path otherDir) throws IOException {
        try (var occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> KafkaBroker.start(otherDir, occupied.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + occupied.getLocalPort() + " on 127.0.0.1 is already in use");
        }
    }

    @Test
    void reportsTheEndOfTheBrokerLogWhenTheBrokerExits(@TempDir Path otherDir) throws IOException {
        // Storage that claims to belong to another node: the broker refuses it and exits.
        Path logDir = Files.createDirectories(otherDir.resolve("kraft-logs"));
        Files.writeString(logDir.resolve("meta.properties"), "version=1\nnode.id=7\ncluster.id=" + Uuid.randomUuid() + "\n");

        assertThatThrownBy(() -> KafkaBroker.start(otherDir, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not start: the broker process exited")
                .hasMessageContaining("kafka.log")
                .hasMessageContaining("node");
    }

    private static String uniqueTopic() {
        return "embedded-test-" + UUID.randomUUID();
    }

    private void produce(String topic, String value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Could not produce to " + topic, e);
        }
    }

    /** Reads the topic from the beginning until {@code expected} values have arrived. */
    private List<String> readAll(String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return values.size() >= expected;
            });
        }
        return values;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
