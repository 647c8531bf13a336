package io.otpflow.common.kafka;

import io.otpflow.common.Json;
import io.otpflow.common.MalformedEventException;
import io.otpflow.common.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/** The serving side of request/reply: reads the correlation headers and answers the instance that asked. */
public final class Replies {
  private final Producer<String, byte[]> producer;

  public Replies(Producer<String, byte[]> producer) {
    this.producer = producer;
  }

  /** True when the request carries a deadline that has passed: nobody waits for its answer any more. */
  public static boolean pastDeadline(ConsumerRecord<String, byte[]> request, Instant now) {
    Header deadline = request.headers().lastHeader(Topics.DEADLINE);
    if (deadline == null) {
      return false;
    }
    try {
      return Long.parseLong(new String(deadline.value(), StandardCharsets.US_ASCII)) < now.toEpochMilli();
    } catch (NumberFormatException e) {
      throw new MalformedEventException("The request's deadline header is not a number.");
    }
  }

  /** Refuses a request nobody could receive the answer to, before any side effect happens. */
  public static void requireReplyHeaders(ConsumerRecord<String, byte[]> request) {
    header(request, Topics.REPLY_TO);
    header(request, Topics.REQUEST_ID);
  }

  /** Publishes the reply and waits for the broker to take it. */
  public void send(ConsumerRecord<String, byte[]> request, Object reply) throws Exception {
    start(request, reply).get(10, TimeUnit.SECONDS);
  }

  /** Publishes the reply without waiting: the caller waits on the future (for at most 10 s) before its commit. */
  public Future<RecordMetadata> start(ConsumerRecord<String, byte[]> request, Object reply) {
    String replyTo = header(request, Topics.REPLY_TO);
    String requestId = header(request, Topics.REQUEST_ID);
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REPLIES, replyTo, Json.write(reply));
    record.headers().add(Topics.REPLY_TO, replyTo.getBytes(StandardCharsets.UTF_8));
    record.headers().add(Topics.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
    return producer.send(record);
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    if (header == null || header.value() == null || header.value().length == 0 || header.value().length > 200) {
      throw new MalformedEventException("The request has no usable " + name + " header.");
    }
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
