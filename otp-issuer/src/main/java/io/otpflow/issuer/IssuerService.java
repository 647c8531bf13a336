package io.otpflow.issuer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
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

/** Wires the issuer: request and delivery-report consumers, Redis, producer, health and metrics. */
public final class IssuerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerService.class);

  private final RedisClient redis;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final ConsumerLoop requests;
  private final ConsumerLoop deliveries;
  private final HttpServer http;
  private final PrometheusMeterRegistry registry;

  private IssuerService(IssuerConfig config, Vertx vertx, Clock clock) throws Exception {
    TopicSetup.ensureTopics(config.kafka(), Duration.ofSeconds(60));
    registry = Metrics.newRegistry(IssuerConfig.SERVICE);
    redis = config.redis().connect();
    producer = new KafkaProducer<>(config.kafka().producer());
    admin = Readiness.admin(config.kafka());
    Issuer issuer =
        new Issuer(
            config.tenants(),
            new RedisChallengeStore(redis, config.retention()),
            new CodeGenerator(),
            config.codeMac(),
            config.dispatchBox(),
            dispatch ->
                producer
                    .send(new ProducerRecord<>(Topics.SMS_DISPATCH, dispatch.verificationId(), Json.write(dispatch)))
                    .get(10, TimeUnit.SECONDS),
            clock,
            registry);
    Replies replies = new Replies(producer);
    DeadLetters deadLetters = new DeadLetters(producer, IssuerConfig.SERVICE);
    requests =
        new ConsumerLoop(
            "issuer-requests", config.kafka(), IssuerConfig.SERVICE, List.of(Topics.ISSUER_REQUESTS),
            record -> answer(issuer, replies, record, clock), deadLetters).start();
    deliveries =
        new ConsumerLoop(
            "issuer-deliveries", config.kafka(), IssuerConfig.SERVICE + "-deliveries", List.of(Topics.DELIVERY_REPORTS),
            record -> {
              DeliveryReport report = Json.read(record.value(), DeliveryReport.class);
              issuer.applyDelivery(report.tenant(), report.verificationId(), report.state());
            },
            deadLetters).start();
    Map<String, Callable<Boolean>> readiness = new LinkedHashMap<>();
    readiness.put("kafka", Readiness.kafka(admin));
    readiness.put("redis", Readiness.redis(redis));
    readiness.put("consumers", () -> requests.isRunning() && deliveries.isRunning());
    http =
        ServiceHttp.listen(vertx, config.httpHost(), config.httpPort(), registry, readiness)
            .await(10, TimeUnit.SECONDS);
    LOG.info("The issuer is running: {}; metrics and health on port {}.", config, http.actualPort());
  }

  public static IssuerService start(IssuerConfig config, Vertx vertx, Clock clock) throws Exception {
    return new IssuerService(config, vertx, clock);
  }

  private static void answer(Issuer issuer, Replies replies, ConsumerRecord<String, byte[]> record, Clock clock)
      throws Exception {
    Replies.requireReplyHeaders(record);
    if (Replies.pastDeadline(record, java.time.Instant.now())) {
      LOG.info("Skipping request {}: its caller stopped waiting.", record.key());
      return;
    }
    IssuerRequest request = Json.read(record.value(), IssuerRequest.class);
    IssuerReply reply;
    try {
      reply = issuer.handle(request);
    } catch (JedisException e) {
      LOG.warn("Redis failed while serving verification {}: {}", request.verificationId(), e.toString());
      reply = new IssuerReply.Unavailable("redis");
    }
    replies.send(record, reply);
  }

  public int httpPort() {
    return http.actualPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** True once both consumers own their partitions: requests sent from now on are served. */
  public boolean isConsuming() {
    return requests.isAssigned() && deliveries.isAssigned();
  }

  @Override
  public void close() {
    requests.close();
    deliveries.close();
    try {
      http.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The issuer's HTTP server did not close cleanly: {}", e.toString());
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
    redis.close();
    registry.close();
  }
}
