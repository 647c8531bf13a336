package io.otpflow.sms;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.http.Readiness;
import io.otpflow.common.http.ServiceHttp;
import io.otpflow.common.kafka.ConsumerLoop;
import io.otpflow.common.kafka.DeadLetters;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/** Wires the SMS dispatcher: dispatch consumer, provider, Redis send claims, reports and dead letters. */
public final class SmsDispatcherService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmsDispatcherService.class);

  private final RedisClient redis;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final ConsumerLoop dispatches;
  private final HttpServer http;
  private final PrometheusMeterRegistry registry;

  private SmsDispatcherService(DispatcherConfig config, Vertx vertx, Clock clock, SmsDispatcher.RetryPolicy retry)
      throws Exception {
    TopicSetup.ensureTopics(config.kafka(), Duration.ofSeconds(60));
    registry = Metrics.newRegistry(DispatcherConfig.SERVICE);
    redis = config.redis().connect();
    producer = new KafkaProducer<>(config.kafka().producer());
    admin = Readiness.admin(config.kafka());
    DeadLetters deadLetters = new DeadLetters(producer, DispatcherConfig.SERVICE);
    SmsSender sender =
        "twilio".equals(config.provider()) ? new TwilioSmsSender(config.twilio()) : new OutboxSmsSender(config.outboxFile(), clock);
    SmsDispatcher.Outcomes outcomes =
        new SmsDispatcher.Outcomes() {
          @Override
          public void report(DeliveryReport report) throws Exception {
            producer.send(new ProducerRecord<>(Topics.DELIVERY_REPORTS, report.verificationId(), Json.write(report)))
                .get(10, TimeUnit.SECONDS);
          }

          @Override
          public void deadLetter(SmsDispatch dispatch, String reason) throws Exception {
            deadLetters.publish(Topics.SMS_DISPATCH, dispatch.verificationId(), Json.write(dispatch), reason);
          }
        };
    SmsDispatcher dispatcher =
        new SmsDispatcher(
            sender, config.dispatchBox(), redis, outcomes, config.statusCallback(),
            config.twilio() != null ? config.twilio().from() : null,
            config.twilio() != null ? config.twilio().messagingServiceSid() : null,
            retry, clock, registry);
    dispatches =
        new ConsumerLoop(
            "sms-dispatch", config.kafka(), DispatcherConfig.SERVICE, List.of(Topics.SMS_DISPATCH),
            record -> dispatcher.dispatch(Json.read(record.value(), SmsDispatch.class)), deadLetters).start();
    Map<String, Callable<Boolean>> readiness = new LinkedHashMap<>();
    readiness.put("kafka", Readiness.kafka(admin));
    readiness.put("redis", Readiness.redis(redis));
    readiness.put("consumers", dispatches::isRunning);
    http = ServiceHttp.listen(vertx, config.httpHost(), config.httpPort(), registry, readiness).await(10, TimeUnit.SECONDS);
    LOG.info("The SMS dispatcher is running: {}; metrics and health on port {}.", config, http.actualPort());
  }

  public static SmsDispatcherService start(DispatcherConfig config, Vertx vertx, Clock clock) throws Exception {
    return new SmsDispatcherService(config, vertx, clock, SmsDispatcher.RetryPolicy.DEFAULT);
  }

  /** For tests: a faster retry budget. */
  public static SmsDispatcherService start(
      DispatcherConfig config, Vertx vertx, Clock clock, int maxAttempts, Duration firstDelay) throws Exception {
    return new SmsDispatcherService(config, vertx, clock, new SmsDispatcher.RetryPolicy(maxAttempts, firstDelay, firstDelay.multipliedBy(8)));
  }

  public int httpPort() {
    return http.actualPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public boolean isConsuming() {
    return dispatches.isAssigned();
  }

  /** Finishes the sends in flight, commits, then stops. */
  @Override
  public void close() {
    dispatches.close();
    try {
      http.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The dispatcher's HTTP server did not close cleanly: {}", e.toString());
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
    redis.close();
    registry.close();
  }
}
