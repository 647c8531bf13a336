package io.otpflow.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Waits until a freshly started broker serves requests.
 *
 * <p>An open port is not enough (the broker opens it before it has joined the cluster), so the
 * probe asks for the cluster description, which only succeeds once the broker is registered and
 * unfenced. The port is checked first so that no Kafka client is created, and no connection
 * warning logged, while the JVM is still booting.
 */
final class KafkaReadinessProbe {

    private static final Duration PAUSE = Duration.ofMillis(200);
    private static final int REQUEST_TIMEOUT_MS = 3_000;

    private KafkaReadinessProbe() {
    }

    /**
     * Returns once the broker answers with the expected cluster id. Checking the id makes sure the
     * answer comes from this broker, not from another one that got hold of the port.
     *
     * @throws IllegalStateException saying why, if {@code broker} exits or {@code timeout} passes first
     */
    static void await(Process broker, int port, String expectedClusterId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitPort(broker, port, deadline);
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100,
                AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.CLIENT_ID_CONFIG, "otpflow-embedded-readiness-probe");
        try (Admin admin = Admin.create(config)) {
            while (true) {
                failIfExitedOrLate(broker, deadline);
                try {
                    String clusterId = admin.describeCluster().clusterId().get(REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (expectedClusterId.equals(clusterId)) {
                        return;
                    }
                    throw new IllegalStateException("another Kafka cluster (id " + clusterId + ") answers on port " + port);
                } catch (ExecutionException | TimeoutException notYet) {
                    pause(broker);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the broker", e);
                }
            }
        }
    }

    private static void awaitPort(Process broker, int port, long deadline) {
        while (!accepts(port)) {
            failIfExitedOrLate(broker, deadline);
            pause(broker);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void failIfExitedOrLate(Process broker, long deadline) {
        if (!broker.isAlive()) {
            throw new IllegalStateException("the broker process exited with code " + broker.exitValue());
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("the broker was not ready in time");
        }
    }

    /** Pauses between attempts; waiting on the process also notices at once when it dies. */
    private static void pause(Process broker) {
        try {
            broker.waitFor(PAUSE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }
}
