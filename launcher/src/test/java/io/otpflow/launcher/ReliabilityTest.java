package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Json;
import io.otpflow.common.Topics;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.gateway.GatewayConfig;
import io.otpflow.gateway.GatewayService;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.otpflow.testing.TopicRecord;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replies reach the gateway instance that asked; a dispatcher restarted mid-stream, or an event
 * delivered twice, sends no SMS twice and loses none; provider failures are retried or dead-lettered.
 */
class ReliabilityTest {
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void twoGatewayInstancesEachReceiveTheirOwnReplies() throws Exception {
    Map<String, String> env = new HashMap<>(p.env);
    env.put("OTPFLOW_HTTP_PORT", "0");
    env.put("OTPFLOW_MANAGEMENT_PORT", "0"); // its own /metrics port, any free one (not the default 9080)
    env.put("OTPFLOW_INSTANCE_ID", "gw-second");
    try (GatewayService second = GatewayService.start(GatewayConfig.fromEnv(new io.otpflow.common.Env(env)), p.platform.vertx())) {
      String[] gateways = {p.gatewayUrl(), "http://127.0.0.1:" + second.httpPort()};
      HttpClient http = HttpClient.newHttpClient();
      List<Future<String[]>> results = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 40; i++) {
          String gateway = gateways[i % 2];
          String to = TestPlatform.uniquePhone();
          results.add(pool.submit(() -> {
            HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(gateway + "/v1/verifications"))
                    .header("authorization", "Bearer " + ACME_KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"to\": \"" + to + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            return new String[] {to, Integer.toString(r.statusCode()), r.body()};
          }));
        }
      }
      for (Future<String[]> f : results) {
        String[] r = f.get();
        assertThat(r[1]).as(r[2]).isEqualTo("201");
        // Each answer is the one for this request: its masked number ends like the number sent.
        assertThat(new JsonObject(r[2]).getString("to")).endsWith(r[0].substring(r[0].length() - 2));
      }
    }
  }

  @Test
  void aDispatcherRestartedMidStreamSendsEverySmsExactlyOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(p.sendSms(ACME_KEY, TestPlatform.uniquePhone()));
    }
    // Stop while the stream is still being sent, send more while it is down, then start a new one.
    p.platform.restartDispatcher(() -> {
      for (int i = 0; i < 20; i++) {
        ids.add(p.sendSms(ACME_KEY, TestPlatform.uniquePhone()));
      }
    });
    for (int i = 0; i < 10; i++) {
      ids.add(p.sendSms(ACME_KEY, TestPlatform.uniquePhone()));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> p.smsCountFor(id) >= 1));
    for (String id : ids) {
      assertThat(p.smsCountFor(id)).as("SMS for %s", id).isEqualTo(1);
    }
  }

  @Test
  void dispatchEventsDeliveredAgainSendNothingTwice() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(p.sendSms(ACME_KEY, TestPlatform.uniquePhone()));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> p.smsCountFor(id) == 1));
    // Publish the very same dispatch events again, as a redelivery after a crash would.
    List<TopicRecord> dispatched = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.SMS_DISPATCH);
    int requestsBefore = p.twilio.requestCount();
    KafkaSettings settings = new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "test-redelivery", 3);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer())) {
      for (TopicRecord r : dispatched) {
        if (ids.contains(r.key())) {
          producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, r.key(), r.value().getBytes())).get();
        }
      }
      // A marker after them: once it is sent, every redelivered event before it was consumed.
      String marker = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
      p.awaitCode(marker);
    }
    for (String id : ids) {
      assertThat(p.smsCountFor(id)).isEqualTo(1);
    }
    assertThat(p.twilio.requestCount()).isEqualTo(requestsBefore + 1);
  }

  @Test
  void twilioRateLimitsAndServerErrorsAreRetried() {
    p.twilio.failNext(1, 429, 20429, 1);
    p.twilio.failNext(1, 500, null, null);
    int before = p.twilio.requestCount();
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String code = p.awaitCode(id);
    assertThat(p.twilio.requestCount() - before).isGreaterThanOrEqualTo(3);
    assertThat(p.smsCountFor(id)).isEqualTo(1);
    assertThat(p.check(ACME_KEY, id, code).body().getString("status")).isEqualTo("approved");
    assertThat(p.platform.dispatcher().registry().scrape()).contains("otp_dispatch_retries_total");
  }

  @Test
  void aPermanentTwilioErrorIsDeadLetteredWithItsReason() {
    p.twilio.failNext(1, 400, 21610, null); // Twilio: the recipient unsubscribed
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    KafkaTopicReader reader = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers());
    TopicRecord letter = await().atMost(Duration.ofSeconds(20)).until(
        () -> reader.readAll(Topics.DEAD_LETTERS).stream().filter(r -> id.equals(r.key())).findFirst(),
        java.util.Optional::isPresent).get();
    assertThat(letter.header(Topics.DEAD_LETTER_REASON)).hasValueSatisfying(reason -> assertThat(reason).contains("21610"));
    assertThat(letter.header(Topics.DEAD_LETTER_SOURCE)).hasValueSatisfying(s -> assertThat(s).startsWith("sms-dispatcher"));
    SmsDispatch dead = Json.read(letter.value().getBytes(), SmsDispatch.class);
    assertThat(dead.verificationId()).isEqualTo(id);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(p.get("/v1/verifications/" + id, ACME_KEY).body().getString("delivery")).isEqualTo("failed"));
    assertThat(p.smsCountFor(id)).isZero();
  }

  @Test
  void aPoisonEventGoesToTheDeadLetterTopicAndTheStreamMovesOn() throws Exception {
    KafkaSettings settings = new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "test-poison", 3);
    String poisonKey = "poison-" + System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producer())) {
      producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, poisonKey, "{not json".getBytes())).get();
      producer.send(new ProducerRecord<>(Topics.ISSUER_REQUESTS, poisonKey, "{\"type\": \"nope\"}".getBytes())).get();
      producer.send(new ProducerRecord<>(Topics.VERIFIER_REQUESTS, poisonKey, new byte[] {0, 1, 2})).get();
      // Valid JSON with a required field missing: must not reach a handler and block the partition.
      producer.send(new ProducerRecord<>(Topics.DELIVERY_REPORTS, poisonKey,
          "{\"tenant\": \"acme\", \"verification_id\": \"VE00\"}".getBytes())).get();
      producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, poisonKey,
          ("{\"event_id\": \"e1\", \"tenant\": \"acme\", \"verification_id\": \"VE00\", \"to\": \"+14155550100\","
              + " \"code\": {\"key_id\": \"t1\", \"nonce\": \"AAAA\", \"ciphertext\": \"AAAA\"},"
              + " \"expires_at\": \"2099-01-01T00:00:00Z\"}").getBytes())).get();
    }
    KafkaTopicReader reader = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers());
    // Six: the delivery report is read by two groups (the issuer's, and the verifier's for dead push
    // tokens), and each dead-letters what it cannot read.
    await().atMost(Duration.ofSeconds(20)).until(
        () -> reader.readAll(Topics.DEAD_LETTERS).stream().filter(r -> poisonKey.equals(r.key())).count() == 6);
    assertThat(reader.readAll(Topics.DEAD_LETTERS).stream().filter(r -> poisonKey.equals(r.key()))
        .map(r -> r.header(Topics.DEAD_LETTER_SOURCE).orElseThrow())
        .filter(source -> source.contains(Topics.DELIVERY_REPORTS)).map(source -> source.substring(0, source.indexOf(':'))))
        .containsExactlyInAnyOrder("otp-issuer", "verifier");
    assertThat(reader.readAll(Topics.DEAD_LETTERS).stream().filter(r -> poisonKey.equals(r.key())))
        .anySatisfy(r -> assertThat(r.header(Topics.DEAD_LETTER_REASON).orElseThrow()).contains("missing required field state"))
        .anySatisfy(r -> assertThat(r.header(Topics.DEAD_LETTER_REASON).orElseThrow()).contains("missing required field template"));
    // And the platform still works.
    String id = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    assertThat(p.check(ACME_KEY, id, p.awaitCode(id)).body().getString("status")).isEqualTo("approved");
  }
}
