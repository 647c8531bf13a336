package io.otpflow.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.embedded.ExitWithParent;
import io.otpflow.embedded.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a SIGKILLed and restarted service costs its partitions: a group member in a child JVM owns
 * every partition of a topic, is killed (no leave-group request), and a new one is started at once
 * with the same settings; measured is the time from the kill until the new member has consumed a
 * record produced on every partition after the kill.
 *
 * <p>The shipped settings are tested on every build. The other candidates the choice was made
 * between (docs/operations.md, "Recovery") are measured on demand, because two of them take the
 * old 45 s session timeout each: {@code ./otpflow test -pl common -am -Dtest=ConsumerRecoveryTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dotpflow.recovery.compare=true}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@DisabledOnOs(OS.WINDOWS)
class ConsumerRecoveryTest {
  private static final int PARTITIONS = 3;
  /** Longer than any candidate that works and shorter than the client's default session timeout (45 s). */
  private static final Duration WELL_BEFORE_THE_OLD_TIMEOUT = Duration.ofSeconds(30);

  /** Changes over {@link KafkaSettings#consumer}; an empty value removes the setting. */
  enum Candidate {
    SHIPPED(),
    CLASSIC_DEFAULTS("session.timeout.ms=", "heartbeat.interval.ms=", "group.instance.id=", "group.protocol="),
    CLASSIC_SHORT_SESSION("session.timeout.ms=6000", "heartbeat.interval.ms=2000", "group.instance.id=", "group.protocol="),
    CLASSIC_STATIC("session.timeout.ms=", "heartbeat.interval.ms=", "group.instance.id=probe-1", "group.protocol="),
    CONSUMER_PROTOCOL("session.timeout.ms=", "heartbeat.interval.ms=", "group.instance.id=", "group.protocol=consumer"),
    CONSUMER_PROTOCOL_STATIC("session.timeout.ms=", "heartbeat.interval.ms=", "group.instance.id=probe-1",
        "group.protocol=consumer");

    private final List<String> changes;

    Candidate(String... changes) {
      this.changes = List.of(changes);
    }
  }

  /** How one kill and restart went: the time until every partition was served again, or why it never was. */
  record Recovery(Candidate candidate, Optional<Duration> served, String failure) {
    @Override
    public String toString() {
      return candidate + ": " + served.map(d -> "served again " + d.toMillis() + " ms after the kill")
          .orElse("not served again: " + failure);
    }
  }

  @TempDir
  static Path dir;

  private static KafkaBroker broker;
  private static Admin admin;
  private static KafkaProducer<String, byte[]> producer;
  private final List<Process> probes = new ArrayList<>();

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start(dir.resolve("kafka"), 0);
    KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), "recovery-test", PARTITIONS);
    admin = Admin.create(settings.admin());
    producer = new KafkaProducer<>(settings.producer());
  }

  @AfterAll
  static void stopBroker() {
    producer.close();
    admin.close();
    broker.close();
  }

  @AfterEach
  void killProbes() {
    probes.forEach(Process::destroyForcibly);
  }

  @Test
  void aKilledAndRestartedMemberServesItsPartitionsAgainWellBeforeTheOldSessionTimeout() throws Exception {
    Recovery recovery = killAndRestart(Candidate.SHIPPED);

    System.out.println("Recovery measured: " + recovery);
    assertThat(recovery.served()).as(recovery.toString()).isPresent();
    assertThat(recovery.served().get()).isLessThan(WELL_BEFORE_THE_OLD_TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(Candidate.class)
  @EnabledIfSystemProperty(named = "otpflow.recovery.compare", matches = "true")
  void measuresEachCandidate(Candidate candidate) throws Exception {
    Recovery recovery = killAndRestart(candidate);

    System.out.println("Recovery measured: " + recovery);
    assertThat(recovery.served().isPresent() || !recovery.failure().isBlank()).isTrue();
  }

  private Recovery killAndRestart(Candidate candidate) throws Exception {
    String id = candidate.name().toLowerCase().replace('_', '-') + "-" + UUID.randomUUID().toString().substring(0, 8);
    String topic = "recovery." + id;
    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);

    Path firstLog = dir.resolve(id + "-first.log");
    Process first = startProbe(id, topic, candidate, firstLog);
    produceOnEveryPartition(topic, "warm-up");
    Awaitility.await("the first member consuming every partition").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> consumedOnEveryPartition(firstLog, "warm-up"));

    first.destroyForcibly(); // SIGKILL: the member does not leave its group
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long killed = System.nanoTime();
    Path secondLog = dir.resolve(id + "-second.log");
    Process second = startProbe(id, topic, candidate, secondLog);
    produceOnEveryPartition(topic, "after-kill");

    long deadline = killed + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (consumedOnEveryPartition(secondLog, "after-kill")) {
        return new Recovery(candidate, Optional.of(Duration.ofNanos(System.nanoTime() - killed)), "");
      }
      if (!second.isAlive()) {
        return new Recovery(candidate, Optional.empty(), "the restarted member exited: " + lastError(secondLog));
      }
      second.waitFor(50, TimeUnit.MILLISECONDS);
    }
    return new Recovery(candidate, Optional.empty(), "nothing consumed within 120 s");
  }

  private Process startProbe(String group, String topic, Candidate candidate, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        ExitWithParent.class.getName(), Long.toString(ProcessHandle.current().pid()),
        ProbeConsumer.class.getName(), group, topic));
    command.addAll(candidate.changes);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    Process process = builder.start();
    probes.add(process);
    return process;
  }

  private static void produceOnEveryPartition(String topic, String prefix) throws Exception {
    for (int p = 0; p < PARTITIONS; p++) {
      producer.send(new ProducerRecord<>(topic, p, prefix + "-" + p, new byte[0])).get(10, TimeUnit.SECONDS);
    }
  }

  private static boolean consumedOnEveryPartition(Path log, String prefix) throws IOException {
    if (!Files.exists(log)) {
      return false;
    }
    List<String> lines = Files.readAllLines(log);
    return IntStream.range(0, PARTITIONS).allMatch(p -> lines.contains("consumed " + prefix + "-" + p));
  }

  private static String lastError(Path log) throws IOException {
    return Files.readAllLines(log).stream().filter(l -> l.contains("Exception")).reduce((a, b) -> b).orElse("(no exception logged)");
  }
}
