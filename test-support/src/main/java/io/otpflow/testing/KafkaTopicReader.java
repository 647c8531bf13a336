package io.otpflow.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every record that is on some topics right now, from the first offset to the last, for
 * assertions over a whole topic, such as "no one-time code appears in clear on any topic".
 *
 * <p>It reads without a consumer group (partitions are assigned, nothing is committed), so it never
 * disturbs the services under test, and it reads uncommitted transactional records too, because a
 * leak in an aborted transaction is still a leak. Topics that do not exist yield no records and are
 * not created. Each read is bounded by the timeout given to the constructor.
 */
public final class KafkaTopicReader {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String bootstrapServers;
    private final Duration timeout;

    /** A reader that gives up after 30 s. */
    public KafkaTopicReader(String bootstrapServers) {
        this(bootstrapServers, DEFAULT_TIMEOUT);
    }

    public KafkaTopicReader(String bootstrapServers, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** All records of the given topics, in offset order within each partition. */
    public List<TopicRecord> readAll(String... topics) {
        return readAll(List.of(topics));
    }

    /** All records of the given topics, in offset order within each partition. */
    public List<TopicRecord> readAll(Collection<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            return readToEnd(consumer, partitions);
        }
    }

    /** All records of every topic except Kafka's internal ones (those starting with "__"). */
    public List<TopicRecord> readEveryTopic() {
        try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
            List<TopicPartition> partitions = consumer.listTopics(timeout).entrySet().stream()
                    .filter(topic -> !topic.getKey().startsWith("__"))
                    .flatMap(topic -> topic.getValue().stream())
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            return readToEnd(consumer, partitions);
        }
    }

    private List<TopicRecord> readToEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        List<TopicRecord> records = new ArrayList<>();
        if (partitions.isEmpty()) {
            return records;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> endOffsets = new HashMap<>(consumer.endOffsets(partitions, timeout));
        while (!reachedEnd(consumer, endOffsets)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("Could not read " + partitions + " to their end offsets " + endOffsets
                        + " within " + timeout.toSeconds() + " s; read " + records.size() + " records.");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() < endOffsets.get(partition)) {
                    records.add(toTopicRecord(record));
                }
            }
        }
        return records;
    }

    /** Done when every partition's position is at or past the end offset it had when reading began. */
    private boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> endOffsets) {
        endOffsets.entrySet().removeIf(end -> consumer.position(end.getKey(), timeout) >= end.getValue());
        return endOffsets.isEmpty();
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, KafkaFixture.uniqueId("otpflow-topic-reader"),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static TopicRecord toTopicRecord(ConsumerRecord<byte[], byte[]> record) {
        List<TopicRecord.Header> headers = StreamSupport.stream(record.headers().spliterator(), false)
                .map(header -> new TopicRecord.Header(header.key(), text(header.value())))
                .toList();
        return new TopicRecord(record.topic(), record.partition(), record.offset(),
                text(record.key()), text(record.value()), headers);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
