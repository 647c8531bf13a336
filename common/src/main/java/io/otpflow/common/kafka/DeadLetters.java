package io.otpflow.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes records that will never be processed to {@link Topics#DEAD_LETTERS}, unchanged, with
 * the reason and the source (topic-partition@offset, service) in headers. Every dead letter of a
 * service goes through here, so here it is counted ({@link Metrics#DEAD_LETTERS}, by source topic and
 * the reason's class: the word before the first colon).
 */
public final class DeadLetters {
  /** Reason classes the services use; anything else is counted as "other" to keep the tag bounded. */
  private static final Set<String> REASON_CLASSES = Set.of("malformed", "unprocessable", "permanent", "retries_exhausted");

  private final Producer<String, byte[]> producer;
  private final String service;
  private final MeterRegistry metrics;

  public DeadLetters(Producer<String, byte[]> producer, String service) {
    this(producer, service, new CompositeMeterRegistry());
  }

  public DeadLetters(Producer<String, byte[]> producer, String service, MeterRegistry metrics) {
    this.producer = producer;
    this.service = service;
    this.metrics = metrics;
  }

  public void publish(ConsumerRecord<String, byte[]> record, String reason) throws Exception {
    publish(record.topic(), record.topic() + "-" + record.partition() + "@" + record.offset(), record.key(),
        record.value(), reason);
  }

  /**
   * For a record a handler gives up on after processing it ({@code topic} is where it came from).
   * Waits for the broker's acknowledgement, so the source record is committed only once this is safe.
   */
  public void publish(String topic, String key, byte[] value, String reason)
      throws InterruptedException, ExecutionException, TimeoutException {
    publish(topic, topic, key, value, reason);
  }

  private void publish(String topic, String source, String key, byte[] value, String reason)
      throws InterruptedException, ExecutionException, TimeoutException {
    ProducerRecord<String, byte[]> letter = new ProducerRecord<>(Topics.DEAD_LETTERS, key, value);
    String safeReason = reason.length() > 500 ? reason.substring(0, 500) : reason;
    letter.headers().add(Topics.DEAD_LETTER_REASON, safeReason.getBytes(StandardCharsets.UTF_8));
    letter.headers().add(Topics.DEAD_LETTER_SOURCE, (service + ":" + source).getBytes(StandardCharsets.UTF_8));
    producer.send(letter).get(10, TimeUnit.SECONDS);
    Counter.builder(Metrics.DEAD_LETTERS)
        .description("Records sent to the dead-letter topic, by the topic they came from and the reason's class")
        .tag(Metrics.TAG_TOPIC, topic)
        .tag(Metrics.TAG_REASON, reasonClass(reason))
        .register(metrics)
        .increment();
  }

  /** "malformed: The record is not…" → "malformed"; "retries-exhausted: …" → "retries_exhausted". */
  static String reasonClass(String reason) {
    int colon = reason.indexOf(':');
    String head = (colon < 0 ? reason : reason.substring(0, colon)).trim().toLowerCase(Locale.ROOT).replace('-', '_');
    return REASON_CLASSES.contains(head) ? head : "other";
  }
}
