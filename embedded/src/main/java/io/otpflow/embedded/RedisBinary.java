package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * The {@code redis-server} executable (6.2 on Linux and macOS) that the embedded-redis library ships
 * inside its jar, extracted once per JVM into a private temporary directory.
 *
 * <p>The shipped binary is used, rather than a {@code redis-server} on the PATH, so that developer
 * machines and CI runners need nothing installed. Only the binary is taken from the library: the
 * process itself is run by {@link RedisServer}, which needs bounded waits and a readiness check the
 * library does not offer. The directory is deleted when the JVM exits, so repeated test runs do not
 * fill {@code /tmp} with 10 MB copies.
 */
final class RedisBinary {

    private static Path executable;

    private RedisBinary() {
    }

    /** Returns the extracted executable, extracting it on first use. */
    static synchronized Path executable() {
        if (executable == null) {
            executable = extract();
        }
        return executable;
    }

    /** The private directory of the executable; servers without a data directory run in it. */
    static Path directory() {
        return executable().getParent();
    }

    private static Path extract() {
        try {
            Path dir = Files.createTempDirectory("otpflow-redis-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "redis-binary-cleanup"));
            return ExecutableProvider.newJarResourceProvider(dir.toFile()).get().toPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extract the redis-server binary shipped with embedded-redis", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort at JVM exit; a leftover temp directory is harmless.
        }
    }
}
