package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.Env;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.common.kafka.TopicSetup;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The dispatcher as it runs, on a real Kafka broker, a real Redis and {@link FakeTwilio}: a send
 * whose dispatcher died before the provider answered is made by the next dispatcher once its lease
 * runs out, and a retry waits on the Redis queue, not in the consumer's batch.
 */
class SmsDispatcherServiceTest {
  private static final byte[] KEY = "dispatch-key-0123456789abcdefghi".getBytes(StandardCharsets.US_ASCII);
  private static final SecretBox BOX = new SecretBox(Map.of("d1", KEY));
  private static final Duration LEASE = Duration.ofSeconds(7);

  private final Vertx vertx = Vertx.vertx();
  private FakeTwilio twilio;
  private KafkaProducer<String, byte[]> producer;

  @BeforeEach
  void start() {
    twilio = FakeTwilio.start();
    KafkaSettings kafka = new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "sms-service-test", 3);
    TopicSetup.ensureTopics(kafka, Duration.ofSeconds(30));
    producer = new KafkaProducer<>(kafka.producer());
  }

  @AfterEach
  void stop() {
    producer.close();
    twilio.close();
    vertx.close().await();
  }

  @Test
  void aSendWhoseDispatcherDiedWaitingForTheProviderIsSentOnceByTheNextDispatcher() throws Exception {
    SmsDispatch d = dispatch(uniquePhone());
    producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, d.verificationId(), Json.write(d))).get(10, TimeUnit.SECONDS);

    // The first dispatcher polled the event (nothing committed) and called Twilio, which holds the request.
    twilio.latency(Duration.ofMinutes(2));
    RedisClient firstRedis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
    TwilioSmsSender firstSender = new TwilioSmsSender(new TwilioConfig(twilio.accountSid(), twilio.authToken(),
        "+15005550006", null, URI.create(twilio.baseUrl()), Duration.ofSeconds(1), Duration.ofMinutes(1)));
    SmsDispatcher first = new SmsDispatcher(firstSender, BOX, new SmsClaims(firstRedis), new NoOutcomes(),
        new SmsMessages(null, "+15005550006", null), SmsDispatcherService.DEFAULT_RETRY, LEASE, Clock.systemUTC(), Clock.systemUTC(),
        new SimpleMeterRegistry());
    AtomicReference<Throwable> died = new AtomicReference<>();
    Thread firstThread = Thread.ofVirtual().start(() -> {
      try {
        first.dispatch(d);
      } catch (Throwable e) {
        died.set(e);
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> twilio.requestCount() == 1);

    // It dies: its Redis connection goes first, so it can mark nothing, then its provider call is cut
    // (interrupting a virtual thread closes its socket, as a killed process's sockets close).
    firstRedis.close();
    firstThread.interrupt();
    firstThread.join(Duration.ofSeconds(20));
    assertThat(died.get()).as("the first dispatcher could not write its outcome").isNotNull();
    twilio.latency(Duration.ZERO);
    try (RedisClient redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port())) {
      assertThat(redis.get(RedisKeys.smsSent(d.verificationId(), d.eventId()))).startsWith("lease|").contains("|calling|");
    } finally {
      firstSender.close();
    }

    SmsDispatcherService second = SmsDispatcherService.start(config(), vertx, Clock.systemUTC(), SmsDispatcherService.DEFAULT_RETRY);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !twilio.messages().isEmpty());
      assertThat(twilio.messages()).singleElement().satisfies(m -> assertThat(m.to()).isEqualTo(d.to()));
      List<DeliveryReport> reports = await().atMost(Duration.ofSeconds(20))
          .until(() -> reportsFor(d), r -> !r.isEmpty());
      assertThat(reports).extracting(DeliveryReport::state).containsOnly("sent");
      assertThat(reports).extracting(DeliveryReport::providerMessageId).containsOnly(twilio.messages().get(0).sid());
      String scrape = second.registry().scrape();
      assertThat(scrape).contains("otp_sms_lease_takeovers_total{provider=\"twilio\",service=\"sms-dispatcher\"} 1.0");
      assertThat(scrape).contains("otp_sms_possible_duplicates_total{provider=\"twilio\",service=\"sms-dispatcher\"} 1.0");
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(d).isEmpty());
      assertThat(twilio.messages()).hasSize(1);
    } finally {
      second.close();
    }
  }

  @Test
  void aRetryAfterA429WaitsOnTheQueueWhileLaterSendsOfItsPartitionGoOut() throws Exception {
    RunningDispatcher dispatcher = new RunningDispatcher();
    try (dispatcher) {
      SmsDispatch refused = dispatch(uniquePhone());
      SmsDispatch next = dispatch(uniquePhone());
      twilio.failNext(1, 429, 20429, 5);
      Instant sent = Instant.now();
      // Both on one partition: with a sleep in the batch, the second would wait for the first's retry.
      producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, 0, refused.verificationId(), Json.write(refused)))
          .get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> twilio.requestCount() == 1);
      producer.send(new ProducerRecord<>(Topics.SMS_DISPATCH, 0, next.verificationId(), Json.write(next)))
          .get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> twilio.messages().size() == 2);
      assertThat(twilio.messages()).extracting(FakeTwilio.ReceivedSms::to).containsExactly(next.to(), refused.to());
      assertThat(twilio.messages().get(1).receivedAt()).as("not before Retry-After").isAfterOrEqualTo(sent.plusSeconds(5));
      assertThat(twilio.requestCount()).isEqualTo(3);
      assertThat(dispatcher.service.registry().scrape()).contains("otp_dispatch_retries_total{provider=\"twilio\"");
    }
  }

  /** A dispatcher service for one test, closed with it. */
  private final class RunningDispatcher implements AutoCloseable {
    final SmsDispatcherService service;

    RunningDispatcher() throws Exception {
      service = SmsDispatcherService.start(config(), vertx, Clock.systemUTC(), SmsDispatcherService.DEFAULT_RETRY);
      await().atMost(Duration.ofSeconds(60)).until(service::isConsuming);
    }

    @Override
    public void close() {
      service.close();
    }
  }

  private DispatcherConfig config() {
    return DispatcherConfig.fromEnv(new Env(Map.ofEntries(
        Map.entry("KAFKA_BOOTSTRAP_SERVERS", KafkaFixture.shared().bootstrapServers()),
        Map.entry("KAFKA_PARTITIONS", "3"),
        Map.entry("REDIS_URL", RedisFixture.shared().uri()),
        Map.entry(PlatformKeys.DISPATCH_KEYS, "d1:" + Base64.getEncoder().encodeToString(KEY)),
        Map.entry("SMS_PROVIDER", "twilio"),
        Map.entry("TWILIO_ACCOUNT_SID", twilio.accountSid()),
        Map.entry("TWILIO_AUTH_TOKEN", twilio.authToken()),
        Map.entry("TWILIO_FROM_NUMBER", "+15005550006"),
        Map.entry("TWILIO_API_BASE_URL", twilio.baseUrl()),
        Map.entry("TWILIO_CONNECT_TIMEOUT", "1s"),
        Map.entry("TWILIO_READ_TIMEOUT", "5s"), // generous: a busy machine is not a provider failure
        Map.entry("OTPFLOW_SMS_LEASE", LEASE.toSeconds() + "s"),
        Map.entry("OTPFLOW_HTTP_HOST", "127.0.0.1"),
        Map.entry("OTPFLOW_HTTP_PORT", "0"))));
  }

  private static SmsDispatch dispatch(String to) {
    byte[] random = new byte[16];
    ThreadLocalRandom.current().nextBytes(random);
    String id = "VE" + HexFormat.of().formatHex(random);
    return new SmsDispatch(UUID.randomUUID().toString(), Instant.now(), "acme", id, to, BOX.seal("482913", id),
        "Acme: your code is {code}.", null, Instant.now().plus(Duration.ofMinutes(5)));
  }

  private static String uniquePhone() {
    return "+1415555" + String.format("%04d", ThreadLocalRandom.current().nextInt(10_000));
  }

  private static List<DeliveryReport> reportsFor(SmsDispatch d) {
    return new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.DELIVERY_REPORTS).stream()
        .filter(r -> d.verificationId().equals(r.key()))
        .map(r -> Json.read(r.value().getBytes(StandardCharsets.UTF_8), DeliveryReport.class)).toList();
  }

  private static List<String> queued(SmsDispatch d) {
    try (RedisClient redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port())) {
      return redis.zrange(RedisKeys.SMS_RETRIES, 0, -1).stream().filter(m -> m.contains(d.eventId())).toList();
    }
  }

  /** The first dispatcher's outcomes: it dies before it has any. */
  private static final class NoOutcomes implements SmsDispatcher.Outcomes {
    @Override
    public void report(DeliveryReport report) {
      throw new IllegalStateException("The dispatcher under test died before it could report.");
    }

    @Override
    public void deadLetter(SmsDispatch dispatch, String reason) {
      throw new IllegalStateException("The dispatcher under test died before it could dead-letter.");
    }
  }
}
