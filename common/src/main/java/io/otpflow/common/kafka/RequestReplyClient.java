package io.otpflow.common.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply over Kafka for one gateway instance. Requests carry this instance's id in the
 * {@link Topics#REPLY_TO} header; every instance reads all partitions of {@link Topics#REPLIES} with
 * {@code assign()} (no consumer group, so no rebalance pause when instances come and go) and keeps
 * only replies addressed to it, matched to the waiting caller by {@link Topics#REQUEST_ID}.
 */
public final class RequestReplyClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RequestReplyClient.class);

  /**
   * Kafka could not take the request, or no reply came before the deadline. {@link #mayHaveArrived}
   * tells the two apart for the caller: a request that may have reached its service may still take
   * effect (a send's SMS may still go out), one that Kafka refused cannot.
   */
  public static final class UnavailableException extends RuntimeException {
    private final boolean mayHaveArrived;

    public UnavailableException(String message, Throwable cause) {
      this(message, cause, true);
    }

    public UnavailableException(String message, Throwable cause, boolean mayHaveArrived) {
      super(message, cause);
      this.mayHaveArrived = mayHaveArrived;
    }

    /** False only when Kafka certainly did not take the request, so nothing can come of it. */
    public boolean mayHaveArrived() {
      return mayHaveArrived;
    }
  }

  private final String instanceId;
  private final byte[] instanceIdBytes;
  private final Producer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
  // send() can block up to max.block.ms while metadata is missing: never on a caller's event loop.
  private final ExecutorService sender = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread poller;
  private final AtomicLong lag = new AtomicLong();
  private volatile boolean running = true;

  private RequestReplyClient(KafkaSettings settings, String instanceId) {
    this.instanceId = instanceId;
    this.instanceIdBytes = instanceId.getBytes(StandardCharsets.UTF_8);
    this.producer = new KafkaProducer<>(settings.producer());
    this.consumer = new KafkaConsumer<>(settings.consumer(null));
    this.poller = Thread.ofPlatform().name("replies-" + instanceId).unstarted(this::pollReplies);
  }

  /** Assigns every reply partition at its end, so only replies to requests sent from now on are read. */
  public static RequestReplyClient start(KafkaSettings settings, String instanceId, Duration timeout) {
    return start(settings, instanceId, timeout, new CompositeMeterRegistry());
  }

  /** As above, publishing the reply reader's lag into {@code metrics} (group "none": it reads by assign()). */
  public static RequestReplyClient start(KafkaSettings settings, String instanceId, Duration timeout, MeterRegistry metrics) {
    RequestReplyClient client = new RequestReplyClient(settings, instanceId);
    Gauge.builder(Metrics.KAFKA_CONSUMER_LAG, client.lag, AtomicLong::get)
        .description("Records not yet consumed, summed over the partitions this consumer owns")
        .baseUnit("records")
        .tag(Metrics.TAG_TOPIC, Topics.REPLIES)
        .tag(Metrics.TAG_GROUP, Metrics.NONE)
        .register(metrics);
    List<PartitionInfo> partitions = client.consumer.partitionsFor(Topics.REPLIES, timeout);
    List<TopicPartition> assignment = new ArrayList<>();
    for (PartitionInfo p : partitions) {
      assignment.add(new TopicPartition(p.topic(), p.partition()));
    }
    client.consumer.assign(assignment);
    client.consumer.seekToEnd(assignment);
    assignment.forEach(tp -> client.consumer.position(tp, timeout)); // resolve now, not lazily later
    client.poller.start();
    LOG.info("Gateway instance {} reads replies from {} partitions.", instanceId, assignment.size());
    return client;
  }

  public String instanceId() {
    return instanceId;
  }

  /**
   * Publishes {@code payload} to {@code topic} and completes with the reply, or with an
   * {@link UnavailableException} when Kafka does not take it or no answer arrives within {@code timeout}.
   */
  public <T> CompletableFuture<T> request(
      String topic, String key, Object payload, Class<T> replyType, Duration timeout) {
    String requestId = UUID.randomUUID().toString();
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    pending.put(requestId, reply);
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, Json.write(payload));
    record.headers().add(Topics.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
    record.headers().add(Topics.REPLY_TO, instanceIdBytes);
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    record.headers().add(Topics.DEADLINE, Long.toString(deadline).getBytes(StandardCharsets.US_ASCII));
    sender.execute(
        () -> {
          Thread caller = Thread.currentThread();
          try {
            producer.send(
                record,
                (metadata, error) -> {
                  if (error != null) {
                    // Called back inside send() on this thread: the record never left the client (no metadata,
                    // too large). Later, from the producer's I/O thread, it may have been written all the same.
                    boolean synchronous = Thread.currentThread() == caller;
                    reply.completeExceptionally(
                        new UnavailableException("Kafka did not take the request.", error, !synchronous));
                  }
                });
          } catch (RuntimeException e) {
            reply.completeExceptionally(new UnavailableException("Kafka did not take the request.", e, false));
          }
        });
    return reply
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((bytes, error) -> pending.remove(requestId))
        .handle(
            (bytes, error) -> {
              if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                if (cause instanceof UnavailableException u) {
                  throw u;
                }
                throw new UnavailableException("No reply within " + timeout.toMillis() + " ms.", cause);
              }
              return Json.read(bytes, replyType);
            });
  }

  /**
   * Publishes an event (no reply expected) off the caller's thread, completing when the broker
   * has it: safe to call from an event loop, where send() could block while metadata is missing.
   */
  public CompletableFuture<Void> publish(String topic, String key, Object event) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    sender.execute(() -> {
      try {
        producer.send(new ProducerRecord<>(topic, key, Json.write(event)), (metadata, error) -> {
          if (error != null) {
            done.completeExceptionally(new UnavailableException("Kafka did not take the event.", error));
          } else {
            done.complete(null);
          }
        });
      } catch (RuntimeException e) {
        done.completeExceptionally(new UnavailableException("Kafka did not take the event.", e));
      }
    });
    return done;
  }

  /** False once the reply reader has stopped: the gateway can no longer answer and must not look ready. */
  public boolean isRunning() {
    return running && poller.isAlive();
  }

  /** Number of requests waiting for their reply (for metrics and tests). */
  public int pendingCount() {
    return pending.size();
  }

  private void pollReplies() {
    try {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(200));
        // Replies it is behind on are requests about to time out: the reader's lag is the gateway's.
        lag.set(consumer.assignment().stream().mapToLong(tp -> consumer.currentLag(tp).orElse(0)).sum());
        for (ConsumerRecord<String, byte[]> record : records) {
          Header to = record.headers().lastHeader(Topics.REPLY_TO);
          if (to == null || !java.util.Arrays.equals(to.value(), instanceIdBytes)) {
            continue; // another instance's reply
          }
          Header id = record.headers().lastHeader(Topics.REQUEST_ID);
          CompletableFuture<byte[]> waiting =
              id == null ? null : pending.remove(new String(id.value(), StandardCharsets.UTF_8));
          if (waiting != null) {
            waiting.complete(record.value());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("The reply reader of gateway instance {} stopped on an unexpected error.", instanceId, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      poller.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.shutdown();
    producer.close(Duration.ofSeconds(5));
    pending.values().forEach(f -> f.completeExceptionally(new UnavailableException("The gateway is stopping.", null)));
  }
}
