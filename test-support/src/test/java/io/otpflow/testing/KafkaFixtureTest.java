package io.otpflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.kafka.KafkaContainer;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaFixtureTest {

    private final KafkaFixture kafka = KafkaFixture.shared();

    @Test
    void isOneBrokerForTheWholeJvm() {
        assertThat(KafkaFixture.shared()).isSameAs(kafka);
    }

    @Test
    void producesAndConsumesThroughTheSharedBroker() {
        String topic = KafkaFixture.uniqueId("fixture-test");
        kafka.createTopics(3, topic);

        produce(kafka.bootstrapServers(), topic, "hello");

        assertThat(consume(kafka.bootstrapServers(), topic, 1)).containsExactly("hello");
    }

    @Test
    void createsTopicsIdempotently() throws Exception {
        String topic = KafkaFixture.uniqueId("fixture-idempotent");

        kafka.createTopics(2, topic);
        kafka.createTopics(2, topic);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions()).hasSize(2);
        }
    }

    @Test
    void makesIdsThatDoNotCollide() {
        String first = KafkaFixture.uniqueId("tenant");
        String second = KafkaFixture.uniqueId("tenant");

        assertThat(first).startsWith("tenant-").hasSize("tenant-".length() + 12);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    @EnabledIf("dockerIsAvailable")
    void runsTheTestcontainersBrokerWhenDockerIsAvailable() {
        try (KafkaContainer container = new KafkaContainer(KafkaFixture.KAFKA_IMAGE)) {
            container.start();
            String topic = KafkaFixture.uniqueId("container-test");

            produce(container.getBootstrapServers(), topic, "from a container");

            assertThat(consume(container.getBootstrapServers(), topic, 1)).containsExactly("from a container");
        }
    }

    static boolean dockerIsAvailable() {
        return KafkaFixture.dockerAvailable();
    }

    static void produce(String bootstrapServers, String topic, String value) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Could not produce to " + topic, e);
        }
    }

    /** Consumes through a consumer group, as the services do, until {@code expected} values arrived. */
    static List<String> consume(String bootstrapServers, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, KafkaFixture.uniqueId("fixture-test-group"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
                return values.size() >= expected;
            });
        }
        return values;
    }
}
