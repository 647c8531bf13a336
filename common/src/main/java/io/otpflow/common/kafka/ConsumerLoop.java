package io.otpflow.common.kafka;

import io.otpflow.common.MalformedEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group member that runs a handler for every record and commits only after the handler
 * finished. Records of one poll run concurrently on virtual threads (handlers block on Redis and
 * providers; ordering inside a batch is not promised, so handlers are idempotent and state changes
 * monotonic).
 *
 * <p>Errors are sorted as in Kafka's own examples: a {@link MalformedEventException} is a poison
 * record, dead-lettered and skipped; any other exception is treated as retriable, so its partition
 * is rewound to the failed record and retried after a growing pause.
 */
public final class ConsumerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Processes one record; must be idempotent because records can arrive more than once. */
  @FunctionalInterface
  public interface RecordHandler {
    void handle(ConsumerRecord<String, byte[]> record) throws Exception;
  }

  private final String name;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<String> topics;
  private final RecordHandler handler;
  private final DeadLetters deadLetters;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
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
    this.name = name;
    this.consumer = new KafkaConsumer<>(settings.consumer(groupId));
    this.topics = List.copyOf(topics);
    this.handler = handler;
    this.deadLetters = deadLetters;
    this.thread = Thread.ofPlatform().name(name + "-consumer").unstarted(this::run);
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
        new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
            assigned = true;
            LOG.info("{} consumes {} partitions: {}.", name, partitions.size(), partitions);
          }
        });
    long backoffMillis = 0;
    try {
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        boolean failed = processAndCommit(records);
        if (failed) {
          backoffMillis = Math.min(MAX_BACKOFF.toMillis(), Math.max(100, backoffMillis * 2));
          LOG.warn("{} rewound after a retriable failure; retrying in {} ms.", name, backoffMillis);
          Thread.sleep(backoffMillis);
        } else {
          backoffMillis = 0;
        }
      }
    } catch (WakeupException e) {
      if (running) {
        LOG.error("{} was woken up unexpectedly.", name, e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("{} stopped on an unexpected error.", name, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      workers.shutdown();
    }
  }

  /** Runs the batch, commits what succeeded, rewinds partitions at their first failure. */
  private boolean processAndCommit(ConsumerRecords<String, byte[]> records) throws InterruptedException {
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
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        firstFailure.merge(tp, record.offset(), Math::min);
        LOG.warn(
            "{} could not process {}-{}@{} and will retry it: {}",
            name, record.topic(), record.partition(), record.offset(), e.getCause().toString());
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> partitionRecords = records.records(tp);
      long next = partitionRecords.get(partitionRecords.size() - 1).offset() + 1;
      Long failedAt = firstFailure.get(tp);
      if (failedAt != null) {
        next = failedAt;
        consumer.seek(tp, failedAt);
      }
      commits.put(tp, new OffsetAndMetadata(next));
    }
    try {
      consumer.commitSync(commits, Duration.ofSeconds(10));
    } catch (CommitFailedException | org.apache.kafka.common.errors.RebalanceInProgressException e) {
      // The partitions moved to another member; it will reprocess, and handlers are idempotent.
      LOG.info("{} could not commit after a rebalance; the records will be processed again.", name);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      LOG.warn("{} timed out committing offsets; the records may be processed again.", name);
    }
    return !firstFailure.isEmpty();
  }

  private void handleOne(ConsumerRecord<String, byte[]> record) throws Exception {
    try {
      handler.handle(record);
    } catch (MalformedEventException e) {
      LOG.warn(
          "{} dead-letters {}-{}@{}: {}", name, record.topic(), record.partition(), record.offset(), e.getMessage());
      deadLetters.publish(record, "malformed: " + e.getMessage());
    }
  }

  /** Stops polling, lets the current batch finish and commit, then leaves the group. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
