package io.otpflow.embedded;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a child process within a bounded time: politely first (SIGTERM, so the server can flush and
 * shut down cleanly), then forcibly (SIGKILL) if it does not go in time.
 */
final class ProcessTermination {

    private static final Logger log = LoggerFactory.getLogger(ProcessTermination.class);

    /** How long to wait for the OS to reap a process after SIGKILL. */
    private static final Duration REAP_TIMEOUT = Duration.ofSeconds(10);

    private ProcessTermination() {
    }

    /**
     * Sends SIGTERM, waits up to {@code grace} for the process to exit, then sends SIGKILL.
     *
     * @return true if the process exited on its own within the grace period
     */
    static boolean gracefully(Process process, Duration grace, String what) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        if (waitFor(process, grace)) {
            return true;
        }
        log.warn("The {} did not stop within {} s after SIGTERM, so it is being killed.", what, grace.toSeconds());
        forcibly(process, what);
        return false;
    }

    /** Sends SIGKILL and waits (bounded) until the OS has reaped the process. */
    static void forcibly(Process process, String what) {
        process.destroyForcibly();
        if (!waitFor(process, REAP_TIMEOUT)) {
            log.error("The {} (pid {}) was still alive {} s after SIGKILL.", what, process.pid(), REAP_TIMEOUT.toSeconds());
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
