package io.otpflow.push;

import io.otpflow.common.retry.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Env;
import io.otpflow.common.Json;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.testing.FakeFcm;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retry queue lives in Redis, not in the dispatcher: a push whose retry is pending when its
 * dispatcher stops is sent by the next one, once.
 */
class RetryQueueRestartTest {
  static final byte[] KEY = "dispatch-key-0123456789abcdefghi".getBytes(StandardCharsets.US_ASCII);
  @TempDir
  Path dir;

  @Test
  void aRetryPendingWhenTheDispatcherStopsIsSentByTheNextOneOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (FakeFcm fcm = FakeFcm.start("otpflow-restart");
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "restart-test", 3).producer())) {
      Path credentials = dir.resolve("sa.json");
      Files.writeString(credentials, fcm.serviceAccountJson());
      Env env = new Env(Map.of(
          "KAFKA_BOOTSTRAP_SERVERS", KafkaFixture.shared().bootstrapServers(),
          "KAFKA_PARTITIONS", "3",
          "REDIS_URL", RedisFixture.shared().uri(),
          PlatformKeys.DISPATCH_KEYS, "d1:" + Base64.getEncoder().encodeToString(KEY),
          PlatformKeys.ADDRESS_KEYS, "a1:" + Base64.getEncoder().encodeToString(KEY),
          "PUSH_PROVIDER", "fcm",
          "FCM_CREDENTIALS_FILE", credentials.toString(),
          "FCM_API_BASE_URL", fcm.baseUrl(),
          "OTPFLOW_HTTP_HOST", "127.0.0.1",
          "OTPFLOW_HTTP_PORT", "0"));
      RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(200));
      String token = fcm.newRegistrationToken();
      fcm.failNext(token, 1, 503, 4);
      byte[] random = new byte[16];
      ThreadLocalRandom.current().nextBytes(random);
      String vid = "VE" + HexFormat.of().formatHex(random);
      SecretBox box = new SecretBox(Map.of("a1", KEY));
      PushDispatch push = new PushDispatch(UUID.randomUUID().toString(), Instant.now(), "acme", vid, "alice",
          "DV" + HexFormat.of().formatHex(random), "fcm", box.seal(token, "push-token|acme|alice"), "approve", null,
          "Acme", "Approve sign-in to Acme?", false, Instant.now().plus(Duration.ofMinutes(5)));

      PushDispatcherService first = PushDispatcherService.start(PushDispatcherConfig.fromEnv(env), vertx, Clock.systemUTC(), retry);
      await().atMost(Duration.ofSeconds(60)).until(first::isConsuming);
      producer.send(new ProducerRecord<>(Topics.PUSH_DISPATCH, vid, Json.write(push))).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> fcm.requestsFor(token).size() == 1);
      first.close(); // the retry is due in 4 s: it waits in Redis, not in this dispatcher

      PushDispatcherService second = PushDispatcherService.start(PushDispatcherConfig.fromEnv(env), vertx, Clock.systemUTC(), retry);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> fcm.messagesTo(token).size() == 1);
        KafkaTopicReader reader = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers());
        List<DeliveryReport> reports = await().atMost(Duration.ofSeconds(20)).until(() -> reader.readAll(Topics.DELIVERY_REPORTS)
            .stream().filter(r -> vid.equals(r.key()))
            .map(r -> Json.read(r.value().getBytes(StandardCharsets.UTF_8), DeliveryReport.class)).toList(), r -> !r.isEmpty());
        assertThat(reports).extracting(DeliveryReport::state).containsExactly("sent");
        assertThat(fcm.requestsFor(token)).extracting(FakeFcm.Request::status).containsExactly(503, 200);
      } finally {
        second.close();
      }
    } finally {
      vertx.close().await();
    }
  }
}
