package io.otpflow.common.service;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.http.Readiness;
import io.otpflow.common.http.ServiceHttp;
import io.otpflow.common.kafka.ConsumerLoop;
import io.otpflow.common.kafka.DeadLetters;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.common.kafka.Replies;
import io.otpflow.common.kafka.TopicSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * What every Kafka-and-Redis service owns, built and closed in one place: its topics ensured, a
 * metrics registry, a Redis client, an idempotent producer, consumer loops, and the operational HTTP
 * server whose readiness covers Kafka, Redis and the loops. Services add only their own logic.
 */
public final class ServiceRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

  private final String service;
  private final KafkaSettings kafka;
  private final PrometheusMeterRegistry registry;
  private final UnifiedJedis redis;
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final DeadLetters deadLetters;
  private final Replies replies;
  private final List<ConsumerLoop> loops = new ArrayList<>();
  private final Map<String, Callable<Boolean>> extraReadiness = new LinkedHashMap<>();
  private HttpServer http;

  private ServiceRuntime(String service, KafkaSettings kafka, RedisSettings redisSettings, PrometheusMeterRegistry registry) {
    this.service = service;
    this.kafka = kafka;
    TopicSetup.ensureTopics(kafka, Duration.ofSeconds(60));
    this.registry = registry;
    redis = redisSettings.connect(registry);
    producer = new KafkaProducer<>(kafka.producer());
    admin = Readiness.admin(kafka);
    deadLetters = new DeadLetters(producer, service, registry);
    replies = new Replies(producer);
  }

  public static ServiceRuntime open(String service, KafkaSettings kafka, RedisSettings redis) {
    return open(service, kafka, redis, Metrics.newRegistry(service));
  }

  /**
   * With the registry the service's Vert.x instance reports into ({@link ServiceVertx}), so one
   * /metrics shows both; the runtime closes it.
   */
  public static ServiceRuntime open(String service, KafkaSettings kafka, RedisSettings redis, PrometheusMeterRegistry registry) {
    return new ServiceRuntime(service, kafka, redis, registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public UnifiedJedis redis() {
    return redis;
  }

  public DeadLetters deadLetters() {
    return deadLetters;
  }

  public Replies replies() {
    return replies;
  }

  /** Publishes an event as JSON and waits for the broker's acknowledgement (acks=all). */
  public void publish(String topic, String key, Object event) throws Exception {
    await(publishAsync(topic, key, event));
  }

  /** Publishes an event as JSON without waiting; {@link #await} it before the input record counts as done. */
  public Future<RecordMetadata> publishAsync(String topic, String key, Object event) {
    return producer.send(new ProducerRecord<>(topic, key, Json.write(event)));
  }

  /** Waits for a publish to be acknowledged, as long as {@link #publish} would. */
  public static void await(Future<RecordMetadata> published) throws Exception {
    published.get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Publishes several events at once and waits until the broker acknowledged every one: the sends
   * go out together (the producer batches them), so N events cost about one round trip, not N.
   * Fails if any is not acknowledged within the timeout; some may then be on the topic already.
   */
  public void publishAll(String topic, java.util.List<java.util.Map.Entry<String, Object>> keyedEvents) throws Exception {
    java.util.List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
    for (var e : keyedEvents) {
      acks.add(producer.send(new ProducerRecord<>(topic, e.getKey(), Json.write(e.getValue()))));
    }
    long deadline = System.nanoTime() + PUBLISH_TIMEOUT.toNanos();
    for (var ack : acks) {
      ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  /** Starts a consumer loop in {@code group} on {@code topic}; it is closed with the service. */
  public ConsumerLoop consume(String name, String group, String topic, ConsumerLoop.RecordHandler handler) {
    ConsumerLoop loop = new ConsumerLoop(name, kafka, group, List.of(topic), handler, deadLetters, registry).start();
    loops.add(loop);
    return loop;
  }

  /** Adds a named readiness check of the service's own (a worker thread that must keep running); before {@link #serve}. */
  public void addReadinessCheck(String name, Callable<Boolean> check) {
    extraReadiness.put(name, check);
  }

  /** Serves /metrics and /health; ready when Kafka and Redis answer, every loop runs and every added check passes. */
  public void serve(Vertx vertx, String host, int port) throws Exception {
    Map<String, Callable<Boolean>> readiness = new LinkedHashMap<>();
    readiness.put("kafka", Readiness.kafka(admin));
    readiness.put("redis", Readiness.redis(redis));
    readiness.put("consumers", () -> loops.stream().allMatch(ConsumerLoop::isRunning));
    readiness.putAll(extraReadiness);
    http = ServiceHttp.listen(vertx, host, port, registry, readiness).await(10, TimeUnit.SECONDS);
  }

  public int httpPort() {
    return http.actualPort();
  }

  /** True once every loop owns its partitions: what is published from now on is consumed. */
  public boolean isConsuming() {
    return loops.stream().allMatch(ConsumerLoop::isAssigned);
  }

  /** Stops consuming first (finishing and committing what is in flight), then the rest. */
  @Override
  public void close() {
    loops.forEach(ConsumerLoop::close);
    if (http != null) {
      try {
        http.close().await(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("The HTTP server of {} did not close cleanly: {}", service, e.toString());
      }
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
    redis.close();
    registry.close();
  }
}
