package io.otpflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaTopicReaderTest {

    private final KafkaFixture kafka = KafkaFixture.shared();
    private final KafkaTopicReader reader = new KafkaTopicReader(kafka.bootstrapServers());

    @Test
    void readsEveryRecordOfEveryPartitionWithHeaders() throws Exception {
        String issued = KafkaFixture.uniqueId("reader-issued");
        String sent = KafkaFixture.uniqueId("reader-sent");
        kafka.createTopics(3, issued, sent);
        try (var producer = producer()) {
            for (int i = 0; i < 10; i++) {
                var record = new ProducerRecord<>(issued, "key-" + i, "value-" + i);
                record.headers().add("trace", ("trace-" + i).getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.send(new ProducerRecord<>(sent, "gone", null)).get(30, TimeUnit.SECONDS);
        }

        List<TopicRecord> records = reader.readAll(issued, sent);

        assertThat(records).hasSize(11);
        assertThat(records).filteredOn(record -> record.topic().equals(issued))
                .extracting(TopicRecord::value)
                .containsExactlyInAnyOrder("value-0", "value-1", "value-2", "value-3", "value-4",
                        "value-5", "value-6", "value-7", "value-8", "value-9");
        TopicRecord third = records.stream().filter(record -> "key-3".equals(record.key())).findFirst().orElseThrow();
        assertThat(third.header("trace")).contains("trace-3");
        assertThat(third.contains("trace-3")).isTrue();
        assertThat(third.contains("value-3")).isTrue();
        assertThat(third.contains("value-4")).isFalse();
        TopicRecord tombstone = records.stream().filter(record -> record.topic().equals(sent)).findFirst().orElseThrow();
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.contains("anything")).isFalse();
    }

    @Test
    void findsRecordsOnEveryTopicWithoutBeingToldWhichOnes() throws Exception {
        String topic = KafkaFixture.uniqueId("reader-any");
        String secret = KafkaFixture.uniqueId("leaked-secret");
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "user", "code is " + secret)).get(30, TimeUnit.SECONDS);
        }

        List<TopicRecord> everything = reader.readEveryTopic();

        assertThat(everything).anyMatch(record -> record.contains(secret));
        assertThat(everything).noneMatch(record -> record.topic().startsWith("__"));
    }

    @Test
    void readsNothingFromATopicThatDoesNotExistAndDoesNotCreateIt() throws Exception {
        String topic = KafkaFixture.uniqueId("reader-missing");

        assertThat(reader.readAll(topic)).isEmpty();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(topic);
        }
    }

    private KafkaProducer<String, String> producer() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
