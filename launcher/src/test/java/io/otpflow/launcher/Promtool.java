package io.otpflow.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own checker, run as a child process. Tests that need it skip with this message where
 * it cannot be installed; CI installs it (.ci/run: the Debian package {@code prometheus}).
 */
final class Promtool {
  static final String MISSING =
      "promtool is not on PATH; install it with 'apt-get install -y prometheus' (.ci/run does) to run this check";

  record Result(int exitCode, String output) {}

  private Promtool() {}

  static Optional<Path> find() {
    return OptionalTools.onPath("promtool");
  }

  /** Runs promtool with {@code args}, {@code stdin} (or nothing) as its input; skips the test without promtool. */
  static Result run(String stdin, String... args) throws IOException, InterruptedException {
    Optional<Path> promtool = find();
    Assumptions.assumeTrue(promtool.isPresent(), MISSING);
    List<String> command = new ArrayList<>();
    command.add(promtool.get().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), output);
  }

  /** The repository's root folder (tests run in a module folder). */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("No docker-compose.yml above " + Path.of("").toAbsolutePath());
  }
}
