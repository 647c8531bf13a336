package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Topics;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.KafkaCluster;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.otpflow.testing.TopicRecord;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka leader bounces: on three brokers, the leader of the issuer's requests partition 0 is
 * SIGKILLed and started again five times while 1,000 SMS sends go through the whole platform. Every
 * {@code 201} must end with exactly one SMS, or with its delivery {@code failed} and a dead letter
 * saying why; everything is counted and logged.
 *
 * <p>Sends are paced (one every {@link #SEND_EVERY}) and held at a few points so that each bounce
 * happens with sends in flight before, during and after it, whatever the machine's speed. Run it
 * with {@code ./otpflow test -Pchaos -pl launcher -am}.
 */
@Tag("chaos")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class KafkaLeaderBounceTest {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaLeaderBounceTest.class);
  private static final int SENDS = 1000;
  private static final int BOUNCES = 5;
  private static final int PER_BOUNCE = SENDS / BOUNCES;
  private static final Duration SEND_EVERY = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String CHAOS_KEY = "chaos-test-key-0123456789";

  static KafkaCluster kafka;
  static RedisFixture redis;
  static TestPlatform p;
  static Admin admin;

  /** Where the bounces were when a send was made: before the first, leader killed, restarting, back in sync. */
  enum Phase { BEFORE, LEADER_DOWN, RESTARTING, IN_SYNC }

  record Sent(String phone, Phase phase, long issuedAt, int status, String id) {}

  /** HTTP/1.1: the JDK client's h2c upgrade caps concurrent streams, which would refuse sends before they reach the gateway. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final AtomicReference<Phase> PHASE = new AtomicReference<>(Phase.BEFORE);

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    kafka = KafkaCluster.start(dir.resolve("kafka"), 3, KafkaBroker.JvmProfile.QUICK_START);
    redis = RedisFixture.startPrivate();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    // A tenant whose send limits the test cannot reach: every refusal counted is then Kafka's doing.
    String chaos = """
        {"id": "chaos", "display_name": "Chaos", "api_key": "%s",
         "limits": {"per_ip_per_hour": 100000, "per_account_per_hour": 100000, "per_tenant_per_minute": 100000}}
        """.formatted(CHAOS_KEY);
    // The replication is not configured: the services derive 3 and 2 from the three brokers.
    p = TestPlatform.start(kafka.bootstrapServers(), redis.uri(), Map.of("OTPFLOW_TENANTS", TestPlatform.tenants(chaos)));
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyAcceptedSendGetsExactlyOneSmsOrFailsWithAReasonWhileTheRequestsLeaderBounces() throws Exception {
    assertTopicsReplicatedThreeTimesWithAMinimumOfTwo();
    // Not counted: the first sends of a cold platform on a busy machine can miss the 3 s deadline, which
    // says nothing about Kafka. Counting starts once sends are accepted.
    await("a first accepted send").atMost(Duration.ofMinutes(3)).until(() -> send().status() == 201);
    Queue<Sent> sent = new ConcurrentLinkedQueue<>();
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger allowed = new AtomicInteger(PER_BOUNCE / 5);
    List<Integer> killed = new ArrayList<>();
    List<Long> killedAt = new ArrayList<>();
    ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      pacer.scheduleAtFixedRate(() -> {
        if (issued.get() < Math.min(allowed.get(), SENDS)) {
          issued.incrementAndGet();
          senders.submit(() -> sent.add(send()));
        }
      }, 0, SEND_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      for (int bounce = 0; bounce < BOUNCES; bounce++) {
        int base = bounce * PER_BOUNCE;
        await().atMost(WAIT).until(() -> issued.get() >= base + PER_BOUNCE / 5);
        KafkaBroker leader = kafka.node(leaderOfRequestsPartition());
        allowed.set(base + PER_BOUNCE * 3 / 5); // sends go on while the leader is down ...
        PHASE.set(Phase.LEADER_DOWN);
        killedAt.add(System.nanoTime());
        leader.kill();
        killed.add(leader.nodeId());
        LOG.info("Bounce {}: killed broker {}, the leader of {}-0, after {} sends.", bounce + 1, leader.nodeId(),
            Topics.ISSUER_REQUESTS, issued.get());
        await().atMost(WAIT).ignoreExceptions().until(() -> leaderOfRequestsPartition() != leader.nodeId());
        await().atMost(WAIT).until(() -> issued.get() >= base + PER_BOUNCE * 2 / 5);
        allowed.set(base + PER_BOUNCE * 4 / 5); // ... and while it starts again
        PHASE.set(Phase.RESTARTING);
        leader.restart();
        awaitEveryRequestsReplicaInSync();
        PHASE.set(Phase.IN_SYNC);
        LOG.info("Bounce {}: broker {} is back in sync after {} sends.", bounce + 1, leader.nodeId(), issued.get());
        allowed.set(base + PER_BOUNCE + PER_BOUNCE / 5);
      }
      allowed.set(SENDS);
      await().atMost(WAIT).until(() -> sent.size() == SENDS);
    } finally {
      pacer.shutdownNow();
    }
    List<Sent> accepted = sent.stream().filter(s -> s.status() == 201).toList();
    awaitOutcomes(accepted);

    Map<String, Long> failedWithReason = deadLetterReasons(accepted);
    Map<String, Long> smsPerVerification = new TreeMap<>();
    List<String> unexplained = new ArrayList<>();
    for (Sent s : accepted) {
      long sms = p.smsCountFor(s.id());
      smsPerVerification.merge(sms >= 2 ? "2+" : Long.toString(sms), 1L, Long::sum);
      if (sms == 0 && !(failedWithReason.containsKey(s.id()) && "failed".equals(delivery(s.id())))) {
        unexplained.add(s.id() + " (delivery " + delivery(s.id()) + ")");
      }
    }
    Map<Integer, Long> statuses = sent.stream().collect(Collectors.groupingBy(Sent::status, TreeMap::new, Collectors.counting()));
    Map<Phase, Map<Integer, Long>> byPhase = sent.stream().collect(Collectors.groupingBy(Sent::phase, TreeMap::new,
        Collectors.groupingBy(Sent::status, TreeMap::new, Collectors.counting())));
    long smsFor503 = sent.stream().filter(s -> s.status() == 503).filter(s -> smsTo(s.phone()) > 0).count();
    LOG.info("Kafka leader bounces: {} sends, {} bounces (brokers {}); statuses {}, by phase {}; accepted {};"
            + " SMS per accepted verification {}; failed with a dead-letter reason {}; 503s whose SMS went out anyway {};"
            + " first accepted send after each kill, sent after (ms) {}.",
        sent.size(), killed.size(), killed, statuses, byPhase, accepted.size(), smsPerVerification, failedWithReason.size(),
        smsFor503, firstAcceptedAfter(killedAt, sent));

    assertThat(killed).hasSize(BOUNCES);
    assertThat(sent).hasSize(SENDS);
    assertThat(accepted).as("sends accepted").isNotEmpty();
    assertThat(smsPerVerification).as("accepted verifications with two or more SMS").doesNotContainKey("2+");
    assertThat(unexplained).as("accepted verifications without an SMS and without a failure with a reason").isEmpty();
  }

  /** For each kill, how long after it the first send that was then accepted was made: the outage as a client sees it. */
  private static List<Long> firstAcceptedAfter(List<Long> killedAt, Queue<Sent> sent) {
    return killedAt.stream().map(kill -> sent.stream().filter(s -> s.status() == 201 && s.issuedAt() > kill)
        .mapToLong(s -> TimeUnit.NANOSECONDS.toMillis(s.issuedAt() - kill)).min().orElse(-1)).toList();
  }

  private static Sent send() {
    String phone = TestPlatform.uniquePhone();
    Phase phase = PHASE.get();
    long issuedAt = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(p.gatewayUrl() + "/v1/verifications"))
        .timeout(Duration.ofSeconds(15)).header("authorization", "Bearer " + CHAOS_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + phone + "\", \"channel\": \"sms\"}")).build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Sent(phone, phase, issuedAt, r.statusCode(),
          r.statusCode() == 201 ? new JsonObject(r.body()).getString("id") : null);
    } catch (IOException e) {
      LOG.warn("A send to the gateway failed without an answer: {}", e.toString());
      return new Sent(phone, phase, issuedAt, -1, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sent(phone, phase, issuedAt, -1, null);
    }
  }

  /** Waits until each accepted send has its SMS or has failed; a timeout leaves the counting to show what is missing. */
  private static void awaitOutcomes(List<Sent> accepted) {
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> accepted.stream()
          .allMatch(s -> p.smsCountFor(s.id()) > 0 || "failed".equals(delivery(s.id()))));
    } catch (ConditionTimeoutException e) {
      LOG.warn("Not every accepted send had an SMS or a failure after two minutes; counting what there is.");
    }
  }

  private static String delivery(String id) {
    return p.get("/v1/verifications/" + id, CHAOS_KEY).body().getString("delivery");
  }

  /** The dead-letter reason of each accepted verification that has one (the key of an SMS dispatch is its id). */
  private static Map<String, Long> deadLetterReasons(List<Sent> accepted) {
    List<String> ids = accepted.stream().map(Sent::id).toList();
    List<TopicRecord> letters = new KafkaTopicReader(kafka.bootstrapServers()).readAll(Topics.DEAD_LETTERS);
    return letters.stream().filter(r -> ids.contains(r.key()) && r.header(Topics.DEAD_LETTER_REASON).isPresent())
        .collect(Collectors.groupingBy(TopicRecord::key, Collectors.counting()));
  }

  private static long smsTo(String phone) {
    return p.twilio.messages().stream().filter(m -> phone.equals(m.to())).count();
  }

  private static int leaderOfRequestsPartition() throws Exception {
    Node leader = describe(Topics.ISSUER_REQUESTS).partitions().get(0).leader();
    if (leader == null || leader.isEmpty()) {
      throw new IllegalStateException(Topics.ISSUER_REQUESTS + "-0 has no leader");
    }
    return leader.id();
  }

  private static void awaitEveryRequestsReplicaInSync() {
    await().atMost(WAIT).ignoreExceptions().until(() -> describe(Topics.ISSUER_REQUESTS).partitions().stream()
        .map(TopicPartitionInfo::isr).allMatch(isr -> isr.size() == 3));
  }

  private static TopicDescription describe(String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
  }

  private static void assertTopicsReplicatedThreeTimesWithAMinimumOfTwo() throws Exception {
    for (String topic : Topics.ALL) {
      assertThat(describe(topic).partitions()).as(topic).allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      assertThat(admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource)
          .get("min.insync.replicas").value()).as(topic).isEqualTo("2");
    }
  }
}
