package io.otpflow.common.kafka;

import io.otpflow.common.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the platform's topics when they are missing, with the configured replication
 * ({@link TopicReplication}). Every service calls it at start-up, so any start order works; creating
 * an existing topic is not an error. An existing topic whose replication differs from the
 * configuration is reported, never changed: moving replicas is an operator's decision (it copies
 * whole partitions between brokers), not something a service should do while it starts.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  private static final Duration ADMIN_CALL = Duration.ofSeconds(5);
  /** Between attempts: a refused creation (too few brokers yet) fails at once and must not spin. */
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

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
    ensureTopics(settings, timeout, RETENTION);
  }

  /**
   * As {@link #ensureTopics(KafkaSettings, Duration)} for the given topics and their retention
   * (tests use names of their own). Retries until {@code timeout}: Kafka may still be starting, or
   * have fewer live brokers than the replication factor for a moment (a rolling restart).
   */
  public static void ensureTopics(KafkaSettings settings, Duration timeout, Map<String, Duration> retention) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try (Admin admin = Admin.create(settings.admin())) {
        TopicReplication.Resolved replication = resolve(admin, settings.replication());
        List<String> existing = create(admin, settings.partitions(), replication, retention);
        warnAboutDifferences(admin, existing, replication);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating topics.", e);
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        last = e instanceof ExecutionException ? (Exception) e.getCause() : e;
        LOG.warn("Could not create the Kafka topics yet ({}); retrying.", last.toString());
        pause();
      }
    }
    throw new IllegalStateException("Kafka did not accept topic creation within " + timeout + ": " + last, last);
  }

  private static TopicReplication.Resolved resolve(Admin admin, TopicReplication wanted)
      throws InterruptedException, ExecutionException, TimeoutException {
    int liveBrokers = wanted.needsCluster() ? admin.describeCluster().nodes().get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS).size() : 0;
    TopicReplication.Resolved resolved = wanted.resolve(liveBrokers);
    LOG.info("Kafka topics are created with replication factor {} and min.insync.replicas {} ({}).",
        resolved.replicationFactor(), resolved.minInsyncReplicas(), resolved.origin());
    return resolved;
  }

  /** Creates the missing topics; returns the names of those that existed already. */
  private static List<String> create(Admin admin, int partitions, TopicReplication.Resolved replication,
      Map<String, Duration> retention) throws InterruptedException, TimeoutException {
    List<NewTopic> topics = new ArrayList<>();
    retention.forEach((name, keep) -> topics.add(
        new NewTopic(name, partitions, (short) replication.replicationFactor()).configs(Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(keep.toMillis()),
            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(replication.minInsyncReplicas())))));
    List<String> existing = new ArrayList<>();
    for (var entry : admin.createTopics(topics).values().entrySet()) {
      try {
        entry.getValue().get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Created Kafka topic {}.", entry.getKey());
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("Could not create topic " + entry.getKey() + ": " + e.getCause().getMessage(), e.getCause());
        }
        existing.add(entry.getKey());
      }
    }
    return existing;
  }

  /**
   * Logs one warning per existing topic whose replication differs from what is wanted. A failed
   * comparison is logged too, but does not stop the service: the topics exist and work.
   */
  private static void warnAboutDifferences(Admin admin, Collection<String> topics, TopicReplication.Resolved wanted)
      throws InterruptedException {
    if (topics.isEmpty()) {
      return;
    }
    try {
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(topics).allTopicNames().get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS);
      List<ConfigResource> resources =
          topics.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
      Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(ADMIN_CALL.toMillis(), TimeUnit.MILLISECONDS);
      for (String topic : topics) {
        // The smallest partition counts: one under-replicated partition is as exposed as a whole topic.
        int rf = descriptions.get(topic).partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
        var entry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        int minIsr = entry == null ? -1 : Integer.parseInt(entry.value());
        if (rf != wanted.replicationFactor() || minIsr != wanted.minInsyncReplicas()) {
          LOG.warn("Kafka topic {} exists with replication factor {} and min.insync.replicas {}, but {} and {} are wanted ({});"
                  + " it is left as it is. Change it with kafka-reassign-partitions.sh and kafka-configs.sh (docs/operations.md, Kafka).",
              topic, rf, minIsr, wanted.replicationFactor(), wanted.minInsyncReplicas(), wanted.origin());
        }
      }
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn("Could not compare the replication of the existing Kafka topics with the configuration ({}).", e.toString());
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics.", e);
    }
  }
}
