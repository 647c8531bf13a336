package io.otpflow.verifier;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.Verdict;
import io.otpflow.common.http.Readiness;
import io.otpflow.common.http.ServiceHttp;
import io.otpflow.common.kafka.ConsumerLoop;
import io.otpflow.common.kafka.DeadLetters;
import io.otpflow.common.kafka.Replies;
import io.otpflow.common.kafka.TopicSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/** Wires the verifier: check-request consumer, Redis, verdict events, health and metrics. */
public final class VerifierService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VerifierService.class);

  private final RedisClient redis;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final ConsumerLoop requests;
  private final HttpServer http;
  private final PrometheusMeterRegistry registry;
  private final Clock clock;

  private VerifierService(VerifierConfig config, Vertx vertx, Clock clock) throws Exception {
    this.clock = clock;
    TopicSetup.ensureTopics(config.kafka(), Duration.ofSeconds(60));
    registry = Metrics.newRegistry(VerifierConfig.SERVICE);
    redis = config.redis().connect();
    producer = new KafkaProducer<>(config.kafka().producer());
    admin = Readiness.admin(config.kafka());
    Verifier verifier = new Verifier(config.tenants(), new RedisCheckStore(redis), clock, registry);
    Replies replies = new Replies(producer);
    Timer latency = Timer.builder(Metrics.CHECK_LATENCY).publishPercentileHistogram().register(registry);
    requests =
        new ConsumerLoop(
            "verifier-requests", config.kafka(), VerifierConfig.SERVICE, List.of(Topics.VERIFIER_REQUESTS),
            record -> latency.recordCallable(() -> answer(verifier, replies, record)),
            new DeadLetters(producer, VerifierConfig.SERVICE)).start();
    Map<String, Callable<Boolean>> readiness = new LinkedHashMap<>();
    readiness.put("kafka", Readiness.kafka(admin));
    readiness.put("redis", Readiness.redis(redis));
    readiness.put("consumers", requests::isRunning);
    http = ServiceHttp.listen(vertx, config.httpHost(), config.httpPort(), registry, readiness).await(10, TimeUnit.SECONDS);
    LOG.info("The verifier is running: {}; metrics and health on port {}.", config, http.actualPort());
  }

  public static VerifierService start(VerifierConfig config, Vertx vertx, Clock clock) throws Exception {
    return new VerifierService(config, vertx, clock);
  }

  private Void answer(Verifier verifier, Replies replies, ConsumerRecord<String, byte[]> record) throws Exception {
    Replies.requireReplyHeaders(record);
    if (Replies.pastDeadline(record, java.time.Instant.now())) {
      LOG.info("Skipping check of {}: its caller stopped waiting.", record.key());
      return null;
    }
    CheckRequest request = Json.read(record.value(), CheckRequest.class);
    Verifier.Decision decision;
    try {
      decision = verifier.check(request);
    } catch (JedisException e) {
      // Fail closed: without Redis nothing can be approved.
      LOG.warn("Redis failed while checking verification {}: {}", request.verificationId(), e.toString());
      replies.send(record, new CheckReply.Unavailable("redis"));
      return null;
    }
    replies.send(record, decision.reply());
    publishVerdict(request, decision);
    return null;
  }

  private void publishVerdict(CheckRequest request, Verifier.Decision decision) throws Exception {
    String outcome = Json.MAPPER.valueToTree(decision.reply()).path("outcome").asText();
    int left = decision.reply() instanceof CheckReply.Denied d ? d.attemptsLeft() : 0;
    Verdict verdict =
        new Verdict(UUID.randomUUID().toString(), clock.instant(), request.tenant(), request.verificationId(),
            decision.account(), outcome, left);
    producer.send(new ProducerRecord<>(Topics.VERDICTS, request.verificationId(), Json.write(verdict)))
        .get(10, TimeUnit.SECONDS);
  }

  public int httpPort() {
    return http.actualPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public boolean isConsuming() {
    return requests.isAssigned();
  }

  @Override
  public void close() {
    requests.close();
    try {
      http.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The verifier's HTTP server did not close cleanly: {}", e.toString());
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
    redis.close();
    registry.close();
  }
}
