package io.otpflow.common.kafka;

import io.otpflow.common.Topics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes records that will never be processed to {@link Topics#DEAD_LETTERS}, unchanged, with
 * the reason and the source (topic-partition@offset, service) in headers.
 */
public final class DeadLetters {
  private final Producer<String, byte[]> producer;
  private final String service;

  public DeadLetters(Producer<String, byte[]> producer, String service) {
    this.producer = producer;
    this.service = service;
  }

  public void publish(ConsumerRecord<String, byte[]> record, String reason) throws Exception {
    publish(record.topic() + "-" + record.partition() + "@" + record.offset(), record.key(), record.value(), reason);
  }

  /** Waits for the broker's acknowledgement, so the source record is committed only once this is safe. */
  public void publish(String source, String key, byte[] value, String reason)
      throws InterruptedException, ExecutionException, TimeoutException {
    ProducerRecord<String, byte[]> letter = new ProducerRecord<>(Topics.DEAD_LETTERS, key, value);
    String safeReason = reason.length() > 500 ? reason.substring(0, 500) : reason;
    letter.headers().add(Topics.DEAD_LETTER_REASON, safeReason.getBytes(StandardCharsets.UTF_8));
    letter.headers().add(Topics.DEAD_LETTER_SOURCE, (service + ":" + source).getBytes(StandardCharsets.UTF_8));
    producer.send(letter).get(10, TimeUnit.SECONDS);
  }
}
