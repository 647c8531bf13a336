package io.otpflow.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a redis-server from outliving this JVM when the JVM is SIGKILLed, which runs no shutdown
 * hook. A native server cannot watch its parent the way {@link ExitWithParent} does for Kafka, so a
 * tiny {@code sh} watches for it: it blocks reading a pipe whose only writer is this JVM. When the
 * JVM dies, however it dies, the OS closes the pipe, the read returns, and the watch sends the
 * server SIGTERM (it finishes its append-only file and exits), then SIGKILL if it is still there 10 s later.
 *
 * <p>Before signalling, the watch checks that the pid is still this redis-server on this port, in
 * case the server exited earlier and its pid was reused. The check reads {@code /proc}, so the
 * watch works on Linux only; elsewhere a left-behind server is stopped by the next start on the same
 * data directory ({@link OrphanedRedis}).
 */
final class RedisWatch {
    private static final Logger log = LoggerFactory.getLogger(RedisWatch.class);

    // SIGTERM first; a server that refuses to exit (Redis does when its final save fails) is killed after 10 s.
    private static final String SCRIPT = """
            ours() { case "$(tr '\\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)" in *redis-server*"--port $2 "*) ;; *) return 1 ;; esac; }
            read -r _
            ours "$1" "$2" || exit 0
            kill -TERM "$1"
            i=0
            while [ $i -lt 20 ] && ours "$1" "$2"; do sleep 0.5; i=$((i + 1)); done
            ours "$1" "$2" && kill -KILL "$1"
            """;

    private RedisWatch() {
    }

    /** Starts a watch on the server with {@code pid} listening on {@code port}; empty where it cannot work. */
    static Optional<Process> start(long pid, int port) {
        if (!Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            return Optional.empty();
        }
        try {
            Process watch = new ProcessBuilder("sh", "-c", SCRIPT, "redis-watch", Long.toString(pid), Integer.toString(port))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return Optional.of(watch); // its stdin stays open, unwritten, for as long as this JVM lives
        } catch (IOException e) {
            log.warn("Could not start the watch that stops Redis (pid {}) if this JVM is killed: {}", pid, e.toString());
            return Optional.empty();
        }
    }

    /** Ends a watch without letting it signal: the server is being stopped on purpose. */
    static void cancel(Optional<Process> watch) {
        watch.ifPresent(process -> {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
