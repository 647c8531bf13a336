package io.otpflow.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Tells whether a Docker engine is reachable, so that fixtures can prefer containers when they can
 * have them and fall back to in-process servers when they cannot.
 *
 * <p>Testcontainers answers the question, but asking costs about two seconds in every test JVM and,
 * without Docker, logs an ERROR that reads like a test failure. So it is asked only when there is a
 * sign of Docker: {@code DOCKER_HOST}, a {@code ~/.testcontainers.properties}, or a Docker socket in
 * one of the usual places (Linux, rootless, Docker Desktop, Colima, Rancher Desktop, OrbStack). Its
 * ERROR is muted while it is asked. An engine found nowhere on that list is still used when forced
 * with {@code -Dotpflow.kafka.fixture=testcontainers}.
 */
final class DockerEngine {

    private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);

    private static Boolean available;

    private DockerEngine() {
    }

    /** Whether Docker answers; asked once per JVM, and any failure to ask counts as "no". */
    static synchronized boolean available() {
        if (available == null) {
            available = hintedAt() && askTestcontainers();
        }
        return available;
    }

    private static boolean hintedAt() {
        if (System.getenv("DOCKER_HOST") != null) {
            return true;
        }
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> candidates = new ArrayList<>(List.of(
                home.resolve(".testcontainers.properties"),
                Path.of("/var/run/docker.sock"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"),
                home.resolve(".colima/default/docker.sock"),
                home.resolve(".colima/docker.sock"),
                home.resolve(".rd/docker.sock"),
                home.resolve(".orbstack/run/docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    private static boolean askTestcontainers() {
        try {
            return withErrorsMuted(() -> DockerClientFactory.instance().isDockerAvailable());
        } catch (Throwable e) {
            log.debug("Asking Testcontainers for a Docker engine failed, so none is assumed.", e);
            return false;
        }
    }

    private static boolean withErrorsMuted(BooleanSupplier check) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return check.getAsBoolean();
        }
        ch.qos.logback.classic.Logger strategies = context.getLogger("org.testcontainers.dockerclient");
        Level previous = strategies.getLevel();
        strategies.setLevel(Level.OFF);
        try {
            return check.getAsBoolean();
        } finally {
            strategies.setLevel(previous);
        }
    }
}
