package io.otpflow.launcher;

import io.otpflow.embedded.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One otpflow service in its own JVM, as in a deployment: its module's {@code Main}, configured only
 * through its environment, on a port chosen beforehand (a child cannot tell which port it got), with
 * its output in its own log file. It runs with the launcher's class path, which holds every service
 * module, inside {@code ExitWithParent}, so it exits when the launcher does, even on SIGKILL.
 */
final class ServiceProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
  /** Small heaps: five services and three brokers share one machine; a JVM out of memory is in an unknown state. */
  private static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx384m", "-XX:+ExitOnOutOfMemoryError",
      "-Djava.awt.headless=true", "--enable-native-access=ALL-UNNAMED");
  private static final Duration READY_POLL = Duration.ofMillis(250);

  private final String name;
  private final int port;
  private final Path logFile;
  private final Map<String, String> env;
  private final ChildJvm jvm;
  private volatile Process process;

  /**
   * @param name the service's name (gateway, otp-issuer, ...), also its log file's
   * @param env its whole environment, {@code OTPFLOW_HTTP_PORT} included
   */
  ServiceProcess(String name, String mainClass, int port, Map<String, String> env, Path workDir, Path logDir) {
    this.name = name;
    this.port = port;
    this.logFile = logDir.resolve(name + ".log");
    this.env = Map.copyOf(env);
    this.jvm = new ChildJvm(mainClass, JVM_OPTIONS, workDir, logFile);
  }

  synchronized void start() {
    process = jvm.start(List.of(), env);
    LOG.info("Started {} (pid {}) on port {}; its log is {}.", name, process.pid(), port, logFile);
  }

  /** Returns once its {@code /health/ready} answers 200: topics made, Redis and Kafka reachable, consumers joined. */
  void awaitReady(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    Process current = process;
    while (true) {
      if (!current.isAlive()) {
        throw new IllegalStateException(name + " (pid " + current.pid() + ") exited with code " + current.exitValue()
            + " while starting; see " + logFile);
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // asked again below
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds() + " s; see " + logFile);
      }
      current.waitFor(READY_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Stops it as a deployment would: SIGTERM (its shutdown hook finishes what is in flight), SIGKILL after {@code grace}. */
  void stop(Duration grace) {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    current.destroy();
    try {
      if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} (pid {}) did not stop within {} s after SIGTERM, so it is killed.", name, current.pid(), grace.toSeconds());
        current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.destroyForcibly();
    }
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  Path logFile() {
    return logFile;
  }

  Process process() {
    return process;
  }
}
