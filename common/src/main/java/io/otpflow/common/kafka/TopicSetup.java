package io.otpflow.common.kafka;

import io.otpflow.common.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the platform's topics when they are missing. Every service calls it at start-up, so any
 * start order works; creating an existing topic is not an error.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  /** Requests, replies and dispatch events are only useful for minutes: keep them for hours, not days. */
  private static final Map<String, Duration> RETENTION =
      Map.ofEntries(
          Map.entry(Topics.ISSUER_REQUESTS, Duration.ofHours(1)),
          Map.entry(Topics.VERIFIER_REQUESTS, Duration.ofHours(1)),
          Map.entry(Topics.REPLIES, Duration.ofHours(1)),
          Map.entry(Topics.SMS_DISPATCH, Duration.ofHours(6)),
          Map.entry(Topics.PUSH_DISPATCH, Duration.ofHours(6)),
          Map.entry(Topics.ACCOUNT_REQUESTS, Duration.ofHours(1)),
          Map.entry(Topics.DELIVERY_REPORTS, Duration.ofDays(3)),
          Map.entry(Topics.VERDICTS, Duration.ofDays(7)),
          // The audit trail of factor changes (who removed a device, and why) outlives dead letters.
          Map.entry(Topics.ACCOUNT_EVENTS, Duration.ofDays(30)),
          Map.entry(Topics.DEAD_LETTERS, Duration.ofDays(14)));

  private TopicSetup() {}

  public static void ensureTopics(KafkaSettings settings, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = Admin.create(settings.admin())) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : Topics.ALL) {
          topics.add(
              new NewTopic(name, settings.partitions(), (short) -1)
                  .configs(Map.of("retention.ms", Long.toString(RETENTION.get(name).toMillis()))));
        }
        var results = admin.createTopics(topics).values();
        for (var entry : results.entrySet()) {
          try {
            entry.getValue().get(5, TimeUnit.SECONDS);
            LOG.info("Created Kafka topic {}.", entry.getKey());
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw new IllegalStateException("Could not create topic " + entry.getKey() + ".", e.getCause());
            }
          }
        }
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating topics.", e);
      } catch (TimeoutException | RuntimeException e) {
        last = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        LOG.warn("Kafka is not answering yet ({}); retrying topic creation.", e.toString());
      }
    }
    throw new IllegalStateException("Kafka did not accept topic creation within " + timeout + ".", last);
  }
}
