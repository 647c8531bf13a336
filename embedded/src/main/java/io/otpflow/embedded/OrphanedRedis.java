package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pid file a {@link RedisServer} with a data directory keeps there ({@code redis-server.pid}),
 * and what the next start does with it: a redis-server still running on that directory was left
 * behind by a JVM that died without stopping it (SIGKILL, and its watch killed too), so it is
 * stopped before a new one starts. Two servers appending to one file would corrupt it.
 *
 * <p>A pid alone is not proof, since pids are reused: the process must still be a redis-server
 * whose command line names this very directory ({@code --dir <dir>}, readable because the server
 * runs with {@code --set-proc-title no}). Anything else holding that pid is left alone.
 */
final class OrphanedRedis {
    private static final Logger log = LoggerFactory.getLogger(OrphanedRedis.class);
    static final String PID_FILE = "redis-server.pid";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private OrphanedRedis() {
    }

    /** Stops a redis-server left running on {@code dataDir} by an earlier JVM; returns its pid if there was one. */
    static Optional<Long> takeOver(Path dataDir) {
        Optional<ProcessHandle> orphan = recordedPid(dataDir).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(process -> isRedisOn(process, dataDir));
        if (orphan.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle process = orphan.get();
        log.warn("A redis-server (pid {}) left behind by an earlier run still uses {}; stopping it before starting a new one.",
                process.pid(), dataDir);
        process.destroy(); // SIGTERM: it finishes writing its append-only file first
        if (!awaitExit(process, STOP_GRACE)) {
            process.destroyForcibly();
            if (!awaitExit(process, STOP_GRACE)) {
                throw new IllegalStateException("The redis-server (pid " + process.pid() + ") left behind on " + dataDir
                        + " did not stop; kill it by hand.");
            }
        }
        return Optional.of(process.pid());
    }

    static void record(Path dataDir, long pid) {
        try {
            Files.writeString(dataDir.resolve(PID_FILE), pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + dataDir.resolve(PID_FILE), e);
        }
    }

    static void forget(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(PID_FILE));
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dataDir.resolve(PID_FILE), e.toString());
        }
    }

    private static Optional<Long> recordedPid(Path dataDir) {
        Path file = dataDir.resolve(PID_FILE);
        try {
            return Files.exists(file) ? Optional.of(Long.parseLong(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            log.warn("Ignoring the unreadable pid file {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /** The command line from /proc where there is one (Linux), else as the JDK reports it. */
    static boolean isRedisOn(ProcessHandle process, Path dataDir) {
        Path procCmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        String commandLine;
        try {
            commandLine = Files.exists(procCmdline)
                    ? Files.readString(procCmdline, StandardCharsets.UTF_8).replace('\0', ' ')
                    : process.info().commandLine().orElse("");
        } catch (IOException e) {
            return false; // gone in between, or not ours to read
        }
        return commandLine.contains("redis-server") && commandLine.contains(" --dir " + dataDir + " ");
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
