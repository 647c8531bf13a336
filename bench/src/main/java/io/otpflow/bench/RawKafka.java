package io.otpflow.bench;

import io.otpflow.common.Topics;
import io.otpflow.common.kafka.KafkaSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

/**
 * The ceiling the platform's request/reply is compared with: produce → consume → produce → consume
 * on the same broker, with the platform's own client settings ({@link KafkaSettings}), the same
 * headers, keys and payload size, and no application work in between. The responder is the least
 * a correct at-least-once service does: it consumes in a group, publishes one reply per request,
 * waits for the broker to acknowledge the replies, then commits. The requester reads all reply
 * partitions with {@code assign()} and matches replies by request id, as the gateway does.
 */
final class RawKafka implements Target, AutoCloseable {
  static final String REQUESTS = "bench.raw-requests.v1";
  static final String REPLIES = "bench.raw-replies.v1";
  /** About the size of an issuer request as JSON. */
  private static final byte[] PAYLOAD = new byte[360];

  static {
    Arrays.fill(PAYLOAD, (byte) 'x');
  }

  private final String instanceId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final byte[] instanceBytes = instanceId.getBytes(StandardCharsets.UTF_8);
  private final KafkaProducer<String, byte[]> requests;
  private final KafkaConsumer<String, byte[]> replies;
  private final KafkaProducer<String, byte[]> responderProducer;
  private final KafkaConsumer<String, byte[]> responderConsumer;
  private final Map<String, Request> pending = new ConcurrentHashMap<>();
  private final Thread requester;
  private final Thread responder;
  private volatile boolean running = true;

  RawKafka(KafkaSettings settings) throws Exception {
    try (Admin admin = Admin.create(settings.admin())) {
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : List.of(REQUESTS, REPLIES)) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, settings.partitions(), (short) 1));
        }
      }
      admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
    }
    requests = new KafkaProducer<>(settings.producer());
    responderProducer = new KafkaProducer<>(settings.producer());
    responderConsumer = new KafkaConsumer<>(settings.consumer("bench-raw-responder"));
    replies = new KafkaConsumer<>(settings.consumer(null));
    List<TopicPartition> assignment = new ArrayList<>();
    replies.partitionsFor(REPLIES, Duration.ofSeconds(30)).forEach(p -> assignment.add(new TopicPartition(REPLIES, p.partition())));
    replies.assign(assignment);
    replies.seekToEnd(assignment);
    assignment.forEach(tp -> replies.position(tp, Duration.ofSeconds(30)));
    requester = Thread.ofPlatform().name("raw-kafka-replies").start(this::readReplies);
    responderConsumer.subscribe(List.of(REQUESTS));
    responder = Thread.ofPlatform().name("raw-kafka-responder").start(this::respond);
    awaitAssignment();
  }

  @Override
  public String name() {
    return "raw-kafka";
  }

  @Override
  public int inFlightFactor() {
    return 8;
  }

  @Override
  public void fire(Request r) {
    String id = Long.toString(r.seq) + "-" + r.intendedNanos;
    pending.put(id, r);
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(REQUESTS, "VE" + UUID.randomUUID().toString().replace("-", ""), PAYLOAD);
    record.headers().add(Topics.REQUEST_ID, id.getBytes(StandardCharsets.UTF_8));
    record.headers().add(Topics.REPLY_TO, instanceBytes);
    record.headers().add(Topics.DEADLINE, Long.toString(System.currentTimeMillis() + 3000).getBytes(StandardCharsets.US_ASCII));
    requests.send(record, (metadata, error) -> {
      if (error != null && pending.remove(id) != null) {
        r.fail("produce-" + error.getClass().getSimpleName());
      }
    });
  }

  private void readReplies() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> record : replies.poll(Duration.ofMillis(200))) {
          Header to = record.headers().lastHeader(Topics.REPLY_TO);
          Header id = record.headers().lastHeader(Topics.REQUEST_ID);
          if (to != null && Arrays.equals(to.value(), instanceBytes) && id != null) {
            Request r = pending.remove(new String(id.value(), StandardCharsets.UTF_8));
            if (r != null) {
              r.ok();
            }
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  private void respond() {
    try {
      while (running) {
        ConsumerRecords<String, byte[]> batch = responderConsumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.count());
        for (ConsumerRecord<String, byte[]> request : batch) {
          String replyTo = new String(request.headers().lastHeader(Topics.REPLY_TO).value(), StandardCharsets.UTF_8);
          ProducerRecord<String, byte[]> reply = new ProducerRecord<>(REPLIES, replyTo, request.value());
          reply.headers().add(request.headers().lastHeader(Topics.REPLY_TO));
          reply.headers().add(request.headers().lastHeader(Topics.REQUEST_ID));
          acks.add(responderProducer.send(reply));
        }
        for (Future<RecordMetadata> ack : acks) {
          ack.get(10, TimeUnit.SECONDS);
        }
        responderConsumer.commitAsync();
      }
    } catch (WakeupException e) {
      // closing
    } catch (Exception e) {
      throw new IllegalStateException("The raw Kafka responder failed.", e);
    }
  }

  private void awaitAssignment() throws InterruptedException {
    // The responder joins its group on its first polls; requests sent before that would wait for it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Request probe;
    do {
      Run warm = new Run("raw-kafka-join", 1, Long.MAX_VALUE, Long.MAX_VALUE);
      probe = warm.newRequest(System.nanoTime());
      fire(probe);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (!probe.answered() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
    } while (!probe.answered() && System.nanoTime() < deadline);
    if (!probe.answered()) {
      throw new IllegalStateException("The raw Kafka responder did not answer within 60 s.");
    }
  }

  @Override
  public void close() {
    running = false;
    replies.wakeup();
    responderConsumer.wakeup();
    try {
      requester.join(5000);
      responder.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    replies.close(Duration.ofSeconds(2));
    responderConsumer.close(Duration.ofSeconds(2));
    requests.close(Duration.ofSeconds(2));
    responderProducer.close(Duration.ofSeconds(2));
  }
}
