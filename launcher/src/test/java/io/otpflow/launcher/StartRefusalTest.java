package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.PlatformKeys;
import io.otpflow.embedded.DataFolderLock;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./otpflow up} that cannot work says so in one line and exits, leaving nothing running:
 * a taken gateway port (checked before Kafka and Redis start), a data folder another launcher holds,
 * and a service failing to listen after the others started.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StartRefusalTest {
  @TempDir
  Path dir;

  private Process launcher;

  @AfterEach
  void killLauncher() {
    if (launcher != null) {
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }

  @Test
  void aTakenGatewayPortIsOneLineAndExitCode1BeforeKafkaOrRedisStart() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      launcher = startLauncher(Map.of("OTPFLOW_GATEWAY_PORT", Integer.toString(taken.getLocalPort())));

      assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits instead of hanging").isTrue();
      assertThat(launcher.exitValue()).isEqualTo(1);
      assertThat(output()).containsExactly("otpflow: port " + taken.getLocalPort()
          + " on 127.0.0.1 (OTPFLOW_GATEWAY_PORT) is already in use; stop what uses it, or choose another port, e.g."
          + " OTPFLOW_GATEWAY_PORT=" + (taken.getLocalPort() + 1) + " ./otpflow up");
      assertThat(data().resolve("kafka")).doesNotExist();
      assertThat(data().resolve("redis")).doesNotExist();
    }
  }

  @Test
  void aDataFolderInUseByAnotherLauncherIsOneLineAndExitCode1() throws Exception {
    try (DataFolderLock other = DataFolderLock.acquire(data())) {
      launcher = startLauncher(Map.of("OTPFLOW_GATEWAY_PORT", "0"));

      assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(launcher.exitValue()).isEqualTo(1);
      assertThat(output()).singleElement().asString()
          .startsWith("otpflow: The data folder " + data() + " is in use by another otpflow (pid "
              + ProcessHandle.current().pid() + ")");
      assertThat(data().resolve("kafka")).doesNotExist();
    }
  }

  @Test
  void aServiceThatCannotListenStopsTheServicesStartedBeforeIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = platformEnv(taken.getLocalPort()); // starts the shared broker and Redis first
      Set<Thread> before = liveNonDaemonThreads();

      assertThatThrownBy(() -> Platform.start(env, Clock.systemUTC())).isInstanceOf(java.net.BindException.class);

      // What kept the JVM of a failed ./otpflow up alive: the consumer threads of the services started before the gateway.
      Awaitility.await("no thread of the failed start left").atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(names(liveNonDaemonThreads(), before)).isEmpty());
    }
  }

  private Process startLauncher(Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
        Standalone.class.getName(), data().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(dir.resolve("launcher.log").toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private Path data() {
    return dir.resolve("data");
  }

  private List<String> output() throws IOException {
    return Files.readAllLines(dir.resolve("launcher.log")).stream().filter(line -> !line.isBlank()).toList();
  }

  private Map<String, String> platformEnv(int gatewayPort) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaFixture.shared().bootstrapServers());
    env.put("REDIS_URL", RedisFixture.shared().uri());
    env.put(PlatformKeys.CODE_MAC_KEY, key("0123456789abcdef0123456789abcdef"));
    env.put(PlatformKeys.DISPATCH_KEYS, "t1:" + key("fedcba9876543210fedcba9876543210"));
    env.put(PlatformKeys.FACTOR_KEYS, "f1:" + key("factor-key-factor-key-factor-key"));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + key("address-key-address-key-address!"));
    env.put("OTPFLOW_TENANTS", TestPlatform.tenants());
    env.put("SMS_PROVIDER", "outbox");
    env.put("PUSH_PROVIDER", "outbox");
    env.put("OTPFLOW_OUTBOX_FILE", dir.resolve("outbox.jsonl").toString());
    env.put("OTPFLOW_HTTP_HOST", "127.0.0.1");
    env.put("OTPFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    return env;
  }

  private static String key(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes());
  }

  private static Set<Thread> liveNonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon()).collect(Collectors.toSet());
  }

  /** New threads of the services (consumer loops, the reply reader, Vert.x), not the in-process broker's. */
  private static List<String> names(Set<Thread> now, Set<Thread> before) {
    return now.stream().filter(t -> !before.contains(t)).map(Thread::getName)
        .filter(name -> name.endsWith("-consumer") || name.startsWith("replies-") || name.startsWith("vert.x-"))
        .toList();
  }
}
