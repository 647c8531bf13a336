package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} (the 6.2 binary shipped by embedded-redis, see {@link RedisBinary}) on
 * 127.0.0.1, for the developer launcher and for tests, including tests that take Redis down and
 * bring it back on the same port.
 *
 * <p>With a data directory the server persists to an append-only file there, so data survives a
 * {@link #stop()} and {@link #start()}; its log goes to {@code redis.log} in that directory. Without
 * one it persists nothing (no dump files appear in the working directory) and logs to a file in the
 * binary's temporary directory.
 *
 * <p>A shutdown hook stops the server when this JVM exits normally or on Ctrl-C. A native Redis
 * cannot watch its parent the way the Kafka broker's JVM does, so a {@link RedisWatch} stops it when
 * this JVM is killed with SIGKILL. Should a server still be left behind on a data directory (the
 * watch killed too, or no {@code /proc}), the next start on that directory stops it first
 * ({@link OrphanedRedis}).
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisServer.class);

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration PAUSE = Duration.ofMillis(50);
    private static final int LOG_TAIL_LINES = 20;

    private final Path dataDir;
    private final int port;
    private final Path logFile;
    private final List<String> settings;
    private volatile Process process;
    private volatile Optional<Process> watch = Optional.empty();

    private RedisServer(Path dataDir, int port, List<String> settings) {
        this.dataDir = dataDir == null ? null : dataDir.toAbsolutePath();
        this.port = port;
        this.settings = List.copyOf(settings);
        this.logFile = this.dataDir == null
                ? RedisBinary.directory().resolve("redis-" + port + ".log")
                : this.dataDir.resolve("redis.log");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnJvmExit, "redis-server-shutdown-" + port));
    }

    /**
     * Starts a server and returns once it answers commands.
     *
     * @param dataDir directory for the append-only file, or null for a server that persists nothing
     * @param port port on 127.0.0.1, or 0 to pick a free one
     * @throws IllegalStateException if it does not answer within 20 s (the message contains its log tail)
     */
    public static RedisServer start(Path dataDir, int port) {
        return start(dataDir, port, List.of());
    }

    /**
     * Starts a server with further settings on its command line ({@code "--cluster-enabled", "yes"}),
     * and returns once it answers commands.
     */
    static RedisServer start(Path dataDir, int port, List<String> settings) {
        RedisServer server = new RedisServer(dataDir, FreePort.orPick(port), settings);
        server.start();
        return server;
    }

    /**
     * Starts the server again on the same port and data directory, returning once it answers; does
     * nothing if it is running.
     *
     * @throws IllegalStateException if the port is taken or the server does not come up within 20 s
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        if (!FreePort.isFree(port)) {
            throw new IllegalStateException("Cannot start Redis at " + uri() + ": the port is already in use.");
        }
        createDataDir();
        if (dataDir != null) {
            OrphanedRedis.takeOver(dataDir);
        }
        LogRotation.rotateIfLarge(logFile);
        log.info("Starting Redis at {} {}.", uri(), dataDir == null ? "without persistence" : "with data in " + dataDir);
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory((dataDir == null ? RedisBinary.directory() : dataDir).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = builder.start();
            process.getOutputStream().close(); // redis-server reads no input
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + RedisBinary.executable(), e);
        }
        awaitReady();
        watch = RedisWatch.start(process.pid(), port);
        if (dataDir != null) {
            OrphanedRedis.record(dataDir, process.pid());
        }
        log.info("Redis at {} is ready.", uri());
    }

    /** Stops the server with SIGTERM (it flushes its append-only file), killing it after 10 s. */
    public synchronized void stop() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        log.info("Stopping Redis at {}.", uri());
        RedisWatch.cancel(watch);
        ProcessTermination.gracefully(current, STOP_GRACE, "Redis server");
        if (dataDir != null) {
            OrphanedRedis.forget(dataDir);
        }
    }

    /** Kills the server at once with SIGKILL, as a crash would; returns once it is gone. */
    public synchronized void kill() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        log.info("Killing Redis at {} (SIGKILL).", uri());
        RedisWatch.cancel(watch);
        ProcessTermination.forcibly(current, "Redis server");
    }

    /** Whether the server's process is alive. */
    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** The process id of the running server, for people who want to kill it by hand. */
    public long pid() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException("Redis at " + uri() + " is not running.");
        }
        return current.pid();
    }

    /** The port on 127.0.0.1; stays the same across {@link #stop()} and {@link #start()}. */
    public int port() {
        return port;
    }

    /** Always {@code 127.0.0.1}: the server listens on loopback only. */
    public String host() {
        return "127.0.0.1";
    }

    /** The connection URI, e.g. {@code redis://127.0.0.1:6379}. */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                RedisBinary.executable().toString(),
                "--port", Integer.toString(port),
                "--bind", host(),
                "--daemonize", "no",
                // Keeps the full command line visible, so a left-behind server can be recognised by its --dir.
                "--set-proc-title", "no"));
        if (dataDir == null) {
            command.addAll(List.of("--save", "", "--appendonly", "no"));
        } else {
            command.addAll(List.of("--dir", dataDir.toString(), "--appendonly", "yes"));
        }
        command.addAll(settings);
        return command;
    }

    private void createDataDir() {
        if (dataDir == null) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the Redis data directory " + dataDir, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        OptionalLong answering;
        while ((answering = RedisProbe.readyProcessId(port)).isEmpty() || answering.getAsLong() != process.pid()) {
            String problem = !process.isAlive() ? "it exited with code " + process.exitValue()
                    : answering.isPresent() ? "another Redis (pid " + answering.getAsLong() + ") answers on its port"
                    : System.nanoTime() - deadline > 0 ? "it did not answer within " + READY_TIMEOUT.toSeconds() + " s"
                    : null;
            if (problem != null) {
                ProcessTermination.forcibly(process, "Redis server");
                throw new IllegalStateException("Redis at " + uri() + " did not start: " + problem
                        + ". Last lines of " + logFile + ":\n" + LogTail.of(logFile, LOG_TAIL_LINES));
            }
            pause();
        }
    }

    /** Pauses between probes; waiting on the process also notices at once when it dies. */
    private void pause() {
        try {
            process.waitFor(PAUSE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Redis at " + uri() + " to start", e);
        }
    }

    private void stopOnJvmExit() {
        Process current = process;
        if (current != null && current.isAlive()) {
            RedisWatch.cancel(watch);
            ProcessTermination.gracefully(current, STOP_GRACE, "Redis server");
            if (dataDir != null) {
                OrphanedRedis.forget(dataDir); // the launcher's own stop may come second and find nothing to do
            }
        }
    }
}
