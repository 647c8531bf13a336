package io.otpflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Kafka broker that a test JVM's tests share: started on first use, stopped when the JVM exits.
 *
 * <p>One broker per JVM, because starting one costs seconds and tests isolate themselves through
 * unique consumer groups, keys and tenants ({@link #uniqueId(String)}) rather than through separate
 * brokers. When a Docker engine is reachable the broker is the {@code apache/kafka} image run by
 * Testcontainers, the closest thing to production; otherwise it is a KRaft broker inside the test
 * JVM, built with Kafka's own {@code KafkaClusterTestKit}. That class is internal Kafka API that may
 * change with any Kafka release, which is why every use of it stays in this file.
 *
 * <p>The choice can be forced with the system property {@code otpflow.kafka.fixture} set to
 * {@code in-process} or {@code testcontainers}; the default {@code auto} decides by Docker.
 *
 * <p>Tests that must stop or kill the broker should not use this shared one: they start their own
 * {@code io.otpflow.embedded.KafkaBroker}.
 */
public final class KafkaFixture {

    private static final Logger log = LoggerFactory.getLogger(KafkaFixture.class);

    /** The image used when Docker is available. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

    static final String MODE_PROPERTY = "otpflow.kafka.fixture";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private static KafkaFixture shared;

    private final RunningBroker broker;
    private final Admin admin;

    private KafkaFixture(RunningBroker broker) {
        this.broker = broker;
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "otpflow-kafka-fixture"));
    }

    /** The broker shared by all tests of this JVM, started on the first call. */
    public static synchronized KafkaFixture shared() {
        if (shared == null) {
            RunningBroker broker = startBroker();
            shared = new KafkaFixture(broker);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::closeWithinTimeout, "kafka-fixture-shutdown"));
        }
        return shared;
    }

    /**
     * Whether a Docker engine answers; asked once per JVM, and only when there is a sign of Docker.
     * Tests that need Docker use it in {@code @EnabledIf}.
     */
    public static boolean dockerAvailable() {
        return DockerEngine.available();
    }

    /**
     * Returns {@code base} followed by a random suffix, for consumer groups, keys, tenants and other
     * names that must not collide between tests sharing the broker.
     */
    public static String uniqueId(String base) {
        return base + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** The bootstrap address of the shared broker. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /**
     * Creates the topics with replication factor 1, returning once every partition has a leader, so
     * the first produce does not bounce off a broker that has not taken leadership yet. Topics that
     * already exist are left as they are, so every test class can call this for the topics it needs.
     */
    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        List<String> failures = new ArrayList<>();
        results.forEach((name, result) -> {
            try {
                result.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    failures.add(name + ": " + e.getCause());
                }
            } catch (TimeoutException e) {
                failures.add(name + ": not created within " + ADMIN_TIMEOUT.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(name + ": interrupted");
            }
        });
        if (!failures.isEmpty()) {
            throw new IllegalStateException("Could not create Kafka topics: " + String.join("; ", failures));
        }
        Awaitility.await("leaders for the partitions of " + Arrays.toString(names))
                .atMost(ADMIN_TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> haveLeaders(List.of(names)));
    }

    private boolean haveLeaders(List<String> names) throws Exception {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return descriptions.values().stream()
                .flatMap(description -> description.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    private static RunningBroker startBroker() {
        String mode = System.getProperty(MODE_PROPERTY, "auto");
        return switch (mode) {
            case "in-process" -> InProcessBroker.start("chosen by -D" + MODE_PROPERTY + "=in-process");
            case "testcontainers" -> ContainerBroker.start("chosen by -D" + MODE_PROPERTY + "=testcontainers");
            case "auto" -> dockerAvailable()
                    ? ContainerBroker.start("Docker engine found")
                    : InProcessBroker.start("no Docker engine found (-D" + MODE_PROPERTY + "=testcontainers forces Testcontainers)");
            default -> throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, in-process or testcontainers, not " + mode);
        };
    }

    /** Closes the admin client and broker, giving up after a bounded time so JVM exit never hangs. */
    private void closeWithinTimeout() {
        Thread closer = new Thread(() -> {
            admin.close(Duration.ofSeconds(5));
            broker.close();
        }, "kafka-fixture-closer");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A broker this fixture started, whatever runs it. */
    private interface RunningBroker {

        String bootstrapServers();

        void close();
    }

    /** A KRaft node (broker and controller in one) inside this JVM; its data is deleted on close. */
    private record InProcessBroker(KafkaClusterTestKit cluster) implements RunningBroker {

        static InProcessBroker start(String reason) {
            long started = System.nanoTime();
            // An in-process broker that meets a fatal error (for example its log directory deleted
            // while it shuts down at JVM exit) calls Exit.halt(1), which would kill the test JVM and
            // make surefire report a crashed fork after every test passed. Log it instead.
            org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) ->
                    log.warn("Kafka fixture: the in-process broker asked to halt the JVM ({}: {}); ignored.", code, message));
            org.apache.kafka.common.utils.Exit.setExitProcedure((code, message) ->
                    log.warn("Kafka fixture: the in-process broker asked to exit the JVM ({}: {}); ignored.", code, message));
            KafkaClusterTestKit cluster = build();
            try {
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
            } catch (Exception e) {
                new InProcessBroker(cluster).close();
                throw new IllegalStateException("Kafka fixture: the in-process KRaft broker did not start", e);
            }
            log.info("Kafka fixture: in-process KRaft broker at {}, {}; ready after {} ms.", cluster.bootstrapServers(),
                    reason, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new InProcessBroker(cluster);
        }

        /** One combined node with the same settings as {@code io.otpflow.embedded.KafkaBroker}. */
        private static KafkaClusterTestKit build() {
            // The test kit defaults to the newest, unreleased metadata version; services should be
            // tested against what a released broker runs.
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            try {
                return new KafkaClusterTestKit.Builder(nodes)
                        .setConfigProp("num.partitions", "3")
                        .setConfigProp("auto.create.topics.enable", "true")
                        .setConfigProp("default.replication.factor", "1")
                        .setConfigProp("min.insync.replicas", "1")
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "5")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("transaction.state.log.num.partitions", "5")
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setDeleteOnClose(true)
                        .build();
            } catch (Exception e) {
                throw new IllegalStateException("Kafka fixture: could not set up the in-process KRaft broker", e);
            }
        }

        @Override
        public String bootstrapServers() {
            return cluster.bootstrapServers();
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } catch (Exception e) {
                log.warn("Kafka fixture: closing the in-process broker failed; its temporary data may be left behind.", e);
            }
        }
    }

    /** The {@link #KAFKA_IMAGE} container, run by Testcontainers. */
    private record ContainerBroker(KafkaContainer container) implements RunningBroker {

        static ContainerBroker start(String reason) {
            long started = System.nanoTime();
            // Same defaults as the in-process broker, so tests behave alike under both.
            KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                    .withEnv("KAFKA_NUM_PARTITIONS", "3")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
            container.start();
            log.info("Kafka fixture: Testcontainers broker ({}) at {}, {}; ready after {} ms.", KAFKA_IMAGE,
                    container.getBootstrapServers(), reason, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return new ContainerBroker(container);
        }

        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
