package io.otpflow.common.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A consumer group member that runs a handler for every record and commits only after the handler
 * finished. Records of one poll run concurrently on virtual threads (handlers block on Redis and
 * providers; ordering inside a batch is not promised, so handlers are idempotent and state changes
 * monotonic).
 *
 * <p>Errors are sorted as in Kafka's own examples. A failure of a dependency (Redis, Kafka, I/O,
 * timeouts) is retriable: the record's partition is rewound to it and paused for a growing delay,
 * while the other partitions go on. Anything else (a {@link MalformedEventException}, or a bug such
 * as a missing field reaching the handler) makes the record a poison record: it is dead-lettered
 * with the reason and the partition moves on, so one bad record never blocks the ones behind it.
 *
 * <p>After every poll the loop publishes its lag ({@link Metrics#KAFKA_CONSUMER_LAG}): per topic, the
 * records between its position and the end of each partition it owns, as the consumer last fetched
 * them. A rewound partition's retried records count too, so a stuck partition shows as lag.
 */
public final class ConsumerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Processes one record; must be idempotent because records can arrive more than once. */
  @FunctionalInterface
  public interface RecordHandler {
    void handle(ConsumerRecord<String, byte[]> record) throws Exception;
  }

  /** A paused partition: when to resume it, and the delay to use if it fails again. */
  private record Pause(long resumeAtNanos, long backoffMillis) {}

  private final String name;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<String> topics;
  private final RecordHandler handler;
  private final DeadLetters deadLetters;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<TopicPartition, Pause> paused = new HashMap<>();
  private final Map<String, AtomicLong> lagByTopic = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean assigned;

  public ConsumerLoop(
      String name,
      KafkaSettings settings,
      String groupId,
      List<String> topics,
      RecordHandler handler,
      DeadLetters deadLetters) {
    this(name, settings, groupId, topics, handler, deadLetters, new CompositeMeterRegistry());
  }

  public ConsumerLoop(
      String name,
      KafkaSettings settings,
      String groupId,
      List<String> topics,
      RecordHandler handler,
      DeadLetters deadLetters,
      MeterRegistry metrics) {
    this.name = name;
    this.consumer = new KafkaConsumer<>(settings.consumer(groupId));
    this.topics = List.copyOf(topics);
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.thread = Thread.ofPlatform().name(name + "-consumer").unstarted(this::run);
    for (String topic : this.topics) {
      AtomicLong lag = lagByTopic.computeIfAbsent(topic, t -> new AtomicLong());
      Gauge.builder(Metrics.KAFKA_CONSUMER_LAG, lag, AtomicLong::get)
          .description("Records not yet consumed, summed over the partitions this consumer owns")
          .baseUnit("records")
          .tag(Metrics.TAG_TOPIC, topic)
          .tag(Metrics.TAG_GROUP, groupId)
          .register(metrics);
    }
  }

  public ConsumerLoop start() {
    thread.start();
    return this;
  }

  /** False once the loop has stopped, on purpose or on a fatal error: readiness reports it. */
  public boolean isRunning() {
    return running && thread.isAlive();
  }

  /** True once the group gave this member partitions (or confirmed it has none to give). */
  public boolean isAssigned() {
    return assigned;
  }

  private void run() {
    consumer.subscribe(
        topics,
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(paused::remove);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            LOG.info("{} consumes {} partitions: {}.", name, partitions.size(), partitions);
          }
        });
    try {
      // No wakeup() on close: the loop notices within one poll, and a batch in flight is finished and committed.
      while (running) {
        resumeDuePartitions();
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        updateLag();
        if (!records.isEmpty()) {
          processAndCommit(records);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("{} stopped on an unexpected error.", name, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      workers.shutdown();
    }
  }

  /** Lag as of the last fetch: a local computation, no broker round trip. */
  private void updateLag() {
    Map<String, Long> sums = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(tp);
      sums.merge(tp.topic(), lag.isPresent() ? lag.getAsLong() : 0L, Long::sum);
    }
    lagByTopic.forEach((topic, lag) -> lag.set(sums.getOrDefault(topic, 0L)));
  }

  private void resumeDuePartitions() {
    if (paused.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<TopicPartition> due = new ArrayList<>();
    paused.forEach((tp, pause) -> {
      if (pause.resumeAtNanos() <= now && consumer.assignment().contains(tp)) {
        due.add(tp);
      }
    });
    if (!due.isEmpty()) {
      consumer.resume(due);
    }
  }

  /** Runs the batch, commits what is done, rewinds and pauses partitions at their first retriable failure. */
  private void processAndCommit(ConsumerRecords<String, byte[]> records) {
    List<ConsumerRecord<String, byte[]>> list = new ArrayList<>(records.count());
    List<Future<?>> futures = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> record : records) {
      list.add(record);
      futures.add(workers.submit(() -> {
        handleOne(record);
        return null;
      }));
    }
    Map<TopicPartition, Long> firstFailure = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      ConsumerRecord<String, byte[]> record = list.get(i);
      try {
        futures.get(i).get();
      } catch (ExecutionException e) {
        firstFailure.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
        LOG.warn("{} could not process {}-{}@{} and will retry it: {}",
            name, record.topic(), record.partition(), record.offset(), e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        firstFailure.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> partitionRecords = records.records(tp);
      Long failedAt = firstFailure.get(tp);
      if (failedAt == null) {
        paused.remove(tp);
        commits.put(tp, new OffsetAndMetadata(partitionRecords.get(partitionRecords.size() - 1).offset() + 1));
      } else {
        commits.put(tp, new OffsetAndMetadata(failedAt));
        consumer.seek(tp, failedAt);
        pause(tp);
      }
    }
    try {
      consumer.commitSync(commits, Duration.ofSeconds(10));
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved to another member; it will reprocess, and handlers are idempotent.
      LOG.info("{} could not commit after a rebalance; the records will be processed again.", name);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      LOG.warn("{} timed out committing offsets; the records may be processed again.", name);
    }
  }

  private void pause(TopicPartition tp) {
    Pause previous = paused.get(tp);
    long backoff = previous == null
        ? FIRST_BACKOFF.toMillis()
        : Math.min(MAX_BACKOFF.toMillis(), previous.backoffMillis() * 2);
    paused.put(tp, new Pause(System.nanoTime() + backoff * 1_000_000, backoff));
    consumer.pause(List.of(tp));
    LOG.warn("{} pauses {} for {} ms after a retriable failure.", name, tp, backoff);
  }

  private void handleOne(ConsumerRecord<String, byte[]> record) throws Exception {
    try {
      handler.handle(record);
    } catch (Exception e) {
      if (isRetriable(e)) {
        throw e;
      }
      String reason = e instanceof MalformedEventException
          ? "malformed: " + e.getMessage()
          : "unprocessable: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      LOG.warn("{} dead-letters {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(), reason);
      deadLetters.publish(record, reason);
    }
  }

  /** Dependencies failing is worth waiting for; anything else would fail the same way every time. */
  static boolean isRetriable(Throwable e) {
    return e instanceof JedisException
        || e instanceof KafkaException
        || e instanceof ExecutionException
        || e instanceof TimeoutException
        || e instanceof IOException
        || e instanceof InterruptedException
        || e instanceof RetriableFailure;
  }

  /** Thrown by a handler to ask for a retry of the record whatever the cause. */
  public static class RetriableFailure extends RuntimeException {
    public RetriableFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Stops polling, lets the current batch finish and commit, then leaves the group. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
