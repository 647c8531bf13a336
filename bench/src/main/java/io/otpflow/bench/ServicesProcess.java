package io.otpflow.bench;

import io.otpflow.embedded.ExitWithParent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link ServicesMain} in a child JVM with this JVM's java and class path, its output in a
 * log file, and returns once the gateway is ready. The child exits when this JVM does, even on SIGKILL.
 */
final class ServicesProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ServicesProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ServicesProcess start(Map<String, String> env, List<String> jvmOptions, Path log, int gatewayPort)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ExitWithParent.class.getName());
    command.add(Long.toString(ProcessHandle.current().pid()));
    command.add(ServicesMain.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    ServicesProcess services = new ServicesProcess(process, log);
    services.awaitReady(gatewayPort, Duration.ofSeconds(120));
    return services;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady(int port, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(3)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("The services' JVM exited with code " + process.exitValue() + ":\n" + tail());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException("The services were not ready within " + timeout.toSeconds() + " s:\n" + tail());
  }

  private String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
