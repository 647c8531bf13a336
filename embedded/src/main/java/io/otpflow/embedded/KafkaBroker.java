package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft combined mode: broker and controller in one node, id 1) running
 * in a child JVM, for the developer launcher and for tests that must stop, kill or restart Kafka.
 *
 * <p>A child JVM is used rather than an in-process server because only a separate process can be
 * killed like a crashed broker, and because it keeps Kafka's threads, Scala runtime and logging out
 * of the caller's JVM. The child runs with this JVM's {@code java} binary and class path, which must
 * therefore contain {@code kafka_2.13} and its dependencies.
 *
 * <p>All state lives in the data directory: {@code server.properties}, the partitions and metadata
 * log under {@code kraft-logs/}, and the child's output in {@code kafka.log}. The storage is formatted
 * only when it has never been formatted, so a restart (even of a new {@code KafkaBroker} on the same
 * directory) keeps every record. Ports are chosen once per instance and reused by {@link #restart()};
 * a new instance on an existing directory may use other ports, which KRaft accepts.
 *
 * <p>The class path requirement means the caller must run in its own JVM with a normal class path
 * ({@code java -cp ...}, an IDE, surefire); under {@code mvn exec:java} the class path is Maven's and
 * the broker cannot start. The child JVM exits when its parent does, even on SIGKILL
 * ({@link ExitWithParent}).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** Shorter than {@link #STOP_GRACE}: a JVM that is exiting should not hang for long. */
    private static final Duration SHUTDOWN_HOOK_GRACE = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    /** How the broker's JVM is tuned; either way its own log stays at INFO whatever logback configuration the class path has. */
    public enum JvmProfile {
        /**
         * For tests, which start and restart brokers often and load them lightly: the JIT stops at C1
         * and the serial collector is used, which together cut start-up time by about a fifth on a
         * two-core machine.
         */
        QUICK_START("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        /**
         * For a broker that carries load for a while ({@code ./otpflow up}, the benchmark): the full
         * JIT and the default collector. Measured under load, the quick-start broker spent about a third
         * more CPU per send and per check, and paused for each young collection (about one a second).
         */
        THROUGHPUT("-Xms256m", "-Xmx512m");

        private final List<String> options;

        JvmProfile(String... options) {
            this.options = List.of(options);
        }

        private List<String> options() {
            List<String> all = new java.util.ArrayList<>(options);
            all.add("-Djava.awt.headless=true");
            all.add("-Dlogback.configurationFile=io/otpflow/embedded/kafka-broker-logback.xml");
            return all;
        }
    }

    private final Path dataDir;
    private final KRaftServerProperties properties;
    /** The id a new storage is formatted with: random for a single node, the cluster's for a cluster node. */
    private final String clusterIdIfNew;
    private final ChildJvm jvm;
    private volatile Process process;
    /** When the current process was started, for the log line that says how long it took. */
    private long started;

    private KafkaBroker(Path dataDir, KRaftServerProperties properties, String clusterIdIfNew, JvmProfile profile) {
        this.dataDir = dataDir;
        this.properties = properties;
        this.clusterIdIfNew = clusterIdIfNew;
        this.jvm = new ChildJvm("kafka.Kafka", profile.options(), this.dataDir, logFile());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnJvmExit, "kafka-broker-shutdown-" + properties.port()));
    }

    /**
     * A node of a cluster of several ({@link KafkaCluster}), not started yet.
     *
     * @param voters every node's controller port by node id, this node's included
     */
    static KafkaBroker clusterNode(Path dataDir, int nodeId, int port, SortedMap<Integer, Integer> voters,
            String clusterIdIfNew, JvmProfile profile) {
        Path dir = dataDir.toAbsolutePath();
        var properties = new KRaftServerProperties(nodeId, port, voters.get(nodeId), dir.resolve("kraft-logs"), voters);
        return new KafkaBroker(dir, properties, clusterIdIfNew, profile);
    }

    /**
     * Starts a broker and returns once it serves requests.
     *
     * @param dataDir directory for configuration, data and log; created if missing, reused if it exists
     * @param port client port on 127.0.0.1, or 0 to pick a free one
     * @throws IllegalStateException if a port is already in use, or if the broker does not become
     *     ready within 60 s (the message then contains the end of its log)
     */
    public static KafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, JvmProfile.QUICK_START);
    }

    /** As {@link #start(Path, int)}, with the broker's JVM tuned for {@code profile}. */
    public static KafkaBroker start(Path dataDir, int port, JvmProfile profile) {
        Path dir = dataDir.toAbsolutePath();
        var properties = KRaftServerProperties.singleNode(FreePort.orPick(port), FreePort.pick(), dir.resolve("kraft-logs"));
        KafkaBroker broker = new KafkaBroker(dir, properties, Uuid.randomUuid().toString(), profile);
        broker.launch();
        return broker;
    }

    /** The bootstrap address for clients, e.g. {@code 127.0.0.1:39123}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + properties.port();
    }

    /** The client port; stays the same across {@link #restart()}. */
    public int port() {
        return properties.port();
    }

    /** The broker's node id (1 for a single node). */
    public int nodeId() {
        return properties.nodeId();
    }

    /**
     * The process id of the broker's JVM, for people and tests that signal it themselves.
     *
     * @throws IllegalStateException when it is not running
     */
    public long pid() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException("The Kafka broker " + nodeId() + " at " + bootstrapServers() + " is not running.");
        }
        return current.pid();
    }

    /** The directory that holds this broker's configuration, data and {@code kafka.log}. */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether the broker's process is alive (it may still be starting or stopping). */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /**
     * Stops the broker cleanly: SIGTERM lets it shut down in a controlled way, and it is killed if it
     * has not exited after 20 s. Does nothing when it is not running.
     */
    public synchronized void stop() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        log.info("Stopping the Kafka broker at {}.", bootstrapServers());
        boolean clean = ProcessTermination.gracefully(current, STOP_GRACE, "Kafka broker");
        log.info("The Kafka broker at {} has stopped{}.", bootstrapServers(), clean ? "" : " (it had to be killed)");
    }

    /**
     * Kills the broker at once with SIGKILL, as a crash would: no controlled shutdown, so the next start
     * recovers its logs. Returns once the process is gone.
     */
    public synchronized void kill() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        log.info("Killing the Kafka broker at {} (SIGKILL).", bootstrapServers());
        ProcessTermination.forcibly(current, "Kafka broker");
    }

    /**
     * Starts the broker again on the same data directory and ports, stopping it cleanly first if it
     * is still running. Returns once it serves requests.
     */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        spawn();
        awaitReady(READY_TIMEOUT);
    }

    /**
     * Starts the broker's process without waiting for it to serve: the nodes of a cluster must all be
     * started before any of them is ready, since a broker registers only once a quorum of controllers
     * has elected a leader.
     */
    synchronized void spawn() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the Kafka data directory " + dataDir, e);
        }
        failIfTaken(properties.port(), "client");
        failIfTaken(properties.controllerPort(), "controller");
        properties.writeTo(configFile());
        LogRotation.rotateIfLarge(logFile());
        formatStorageIfNew();
        log.info("Starting Kafka broker {} (KRaft, broker and controller) at {} with data in {}.", nodeId(), bootstrapServers(), dataDir);
        started = System.nanoTime();
        process = jvm.start(List.of(configFile().toString()));
    }

    /** Returns once the process {@link #spawn()} started serves requests; kills it if it does not in time. */
    synchronized void awaitReady(Duration timeout) {
        try {
            KafkaReadinessProbe.await(process, properties.port(), clusterId(), timeout);
        } catch (IllegalStateException e) {
            ProcessTermination.forcibly(process, "Kafka broker");
            throw new IllegalStateException("The Kafka broker at " + bootstrapServers() + " did not start: "
                    + e.getMessage() + ". Errors in " + logFile() + ":\n" + LogTail.errors(logFile(), 10)
                    + "\nLast lines:\n" + LogTail.of(logFile(), LOG_TAIL_LINES), e);
        }
        log.info("Kafka broker {} at {} is ready after {} ms.", nodeId(), bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void failIfTaken(int port, String purpose) {
        if (!FreePort.isFree(port)) {
            throw new IllegalStateException("Cannot start the Kafka broker in " + dataDir + ": its " + purpose
                    + " port " + port + " on 127.0.0.1 is already in use.");
        }
    }

    /** The cluster id written when the storage was formatted; the readiness probe checks against it. */
    String clusterId() {
        return storedClusterId(properties.logDir()).orElseThrow(() -> new IllegalStateException(
                properties.logDir().resolve("meta.properties") + " has no cluster.id; delete " + dataDir + " to start afresh."));
    }

    /** The cluster id in a formatted log directory's {@code meta.properties}; empty if it was never formatted. */
    static Optional<String> storedClusterId(Path logDir) {
        Path metaProperties = logDir.resolve("meta.properties");
        if (!Files.exists(metaProperties)) {
            return Optional.empty();
        }
        Properties meta = new Properties();
        try (var reader = Files.newBufferedReader(metaProperties)) {
            meta.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the Kafka storage metadata " + metaProperties, e);
        }
        return Optional.ofNullable(meta.getProperty("cluster.id"));
    }

    /** Formats the log directory with a new cluster id, unless an earlier run already did. */
    private void formatStorageIfNew() {
        if (Files.exists(properties.logDir().resolve("meta.properties"))) {
            return;
        }
        String clusterId = clusterIdIfNew;
        log.info("Formatting new Kafka storage in {} with cluster id {}.", properties.logDir(), clusterId);
        ChildJvm storageTool = new ChildJvm("kafka.tools.StorageTool", JvmProfile.QUICK_START.options(), dataDir, logFile());
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", configFile().toString()));
        if (properties.standalone()) {
            args.add("--standalone"); // a static quorum (controller.quorum.voters) needs no flag
        }
        Process format = storageTool.start(args);
        int exitCode;
        try {
            if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessTermination.forcibly(format, "Kafka storage tool");
                throw formatFailure("it did not finish within " + FORMAT_TIMEOUT.toSeconds() + " s");
            }
            exitCode = format.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessTermination.forcibly(format, "Kafka storage tool");
            throw formatFailure("interrupted");
        }
        if (exitCode != 0) {
            throw formatFailure("it exited with code " + exitCode);
        }
    }

    private IllegalStateException formatFailure(String reason) {
        return new IllegalStateException("Formatting the Kafka storage in " + properties.logDir() + " failed: " + reason
                + ". Last lines of " + logFile() + ":\n" + LogTail.of(logFile(), LOG_TAIL_LINES));
    }

    /** Leaves nothing running when this JVM exits, even if nobody called {@link #stop()}. */
    private void stopOnJvmExit() {
        Process current = process;
        if (current != null && current.isAlive()) {
            ProcessTermination.gracefully(current, SHUTDOWN_HOOK_GRACE, "Kafka broker");
        }
    }

    private Path configFile() {
        return dataDir.resolve("server.properties");
    }

    private Path logFile() {
        return dataDir.resolve("kafka.log");
    }
}
