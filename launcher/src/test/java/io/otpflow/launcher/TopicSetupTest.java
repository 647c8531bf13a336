package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.common.kafka.TopicReplication;
import io.otpflow.common.kafka.TopicSetup;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Topic creation on the shared single broker: the replication derived from it, a configured factor
 * it cannot meet refused with Kafka's reason, and an existing topic that differs reported, not changed.
 * (Three brokers, and the values 3 and 2 derived from them: {@code KafkaLeaderBounceTest}.)
 */
class TopicSetupTest {
  static Admin admin;

  @BeforeAll
  static void connect() {
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.shared().bootstrapServers()));
  }

  @AfterAll
  static void close() {
    admin.close();
  }

  @Test
  void onOneBrokerTopicsGetOneReplicaAndAMinimumOfOne() throws Exception {
    String topic = KafkaFixture.uniqueId("setup-derived");

    TopicSetup.ensureTopics(settings(TopicReplication.DERIVED), Duration.ofSeconds(30), Map.of(topic, Duration.ofHours(1)));

    assertThat(replicas(topic)).isEqualTo(1);
    assertThat(config(topic, "min.insync.replicas")).isEqualTo("1");
    assertThat(config(topic, "retention.ms")).isEqualTo("3600000");
  }

  @Test
  void aReplicationFactorTheClusterCannotMeetFailsWithKafkasReason() {
    String topic = KafkaFixture.uniqueId("setup-too-many");

    assertThatThrownBy(() -> TopicSetup.ensureTopics(settings(new TopicReplication(3, 2)), Duration.ofSeconds(3),
        Map.of(topic, Duration.ofHours(1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Could not create topic " + topic)
        .hasMessageContaining("The target replication factor of 3 cannot be reached because only 1 broker(s) are registered");
  }

  @Test
  void anExistingTopicThatDiffersIsReportedAndLeftAsItIs() throws Exception {
    String topic = KafkaFixture.uniqueId("setup-existing");
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("min.insync.replicas", "2"))))
        .all().get(30, TimeUnit.SECONDS);

    try (LogCapture log = LogCapture.attachTo(TopicSetup.class.getName(), Level.WARN)) {
      TopicSetup.ensureTopics(settings(TopicReplication.DERIVED), Duration.ofSeconds(30), Map.of(topic, Duration.ofHours(1)));

      assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains("Kafka topic " + topic
          + " exists with replication factor 1 and min.insync.replicas 2, but 1 and 1 are wanted (derived from 1 live broker(s));"
          + " it is left as it is."));
    }
    assertThat(config(topic, "min.insync.replicas")).isEqualTo("2");
  }

  @Test
  void anExistingTopicThatMatchesIsNotReported() throws Exception {
    String topic = KafkaFixture.uniqueId("setup-same");
    Map<String, Duration> topics = Map.of(topic, Duration.ofHours(1));
    TopicSetup.ensureTopics(settings(TopicReplication.DERIVED), Duration.ofSeconds(30), topics);

    try (LogCapture log = LogCapture.attachTo(TopicSetup.class.getName(), Level.WARN)) {
      TopicSetup.ensureTopics(settings(new TopicReplication(1, 1)), Duration.ofSeconds(30), topics);

      assertThat(log.messages()).noneMatch(m -> m.contains(topic));
    }
  }

  private static KafkaSettings settings(TopicReplication replication) {
    return new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "topic-setup-test", 2, replication);
  }

  private static int replicas(String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
        .partitions().get(0).replicas().size();
  }

  private static String config(String topic, String name) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    return admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource).get(name).value();
  }
}
