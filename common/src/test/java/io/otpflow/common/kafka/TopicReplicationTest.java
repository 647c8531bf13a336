package io.otpflow.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicReplicationTest {

  @ParameterizedTest(name = "{0} live brokers → replication factor {1}, min.insync.replicas {2}")
  @CsvSource({"1, 1, 1", "2, 2, 1", "3, 3, 2", "5, 3, 2"})
  void derivesTheProductionValuesFromThreeBrokersAndWhatIsPossibleBelow(int brokers, int rf, int minIsr) {
    TopicReplication.Resolved resolved = TopicReplication.DERIVED.resolve(brokers);

    assertThat(resolved.replicationFactor()).isEqualTo(rf);
    assertThat(resolved.minInsyncReplicas()).isEqualTo(minIsr);
    assertThat(resolved.origin()).isEqualTo("derived from " + brokers + " live broker(s)");
  }

  @Test
  void configuredValuesWinOverTheClusterAndAMissingMinimumFollowsTheFactor() {
    assertThat(new TopicReplication(3, 2).resolve(1)).isEqualTo(new TopicReplication.Resolved(3, 2, "configured"));
    assertThat(new TopicReplication(3, 2).needsCluster()).isFalse();
    assertThat(new TopicReplication(5, 0).resolve(0).minInsyncReplicas()).isEqualTo(2);
  }

  @Test
  void readsTheEnvironmentWithZeroMeaningDerived() {
    KafkaSettings configured = KafkaSettings.fromEnv(new Env(Map.of(
        "KAFKA_REPLICATION_FACTOR", "3", "KAFKA_MIN_INSYNC_REPLICAS", "2")), "test");
    KafkaSettings unset = KafkaSettings.fromEnv(new Env(Map.of()), "test");

    assertThat(configured.replication()).isEqualTo(new TopicReplication(3, 2));
    assertThat(unset.replication()).isEqualTo(TopicReplication.DERIVED);
  }

  @Test
  void refusesAMinimumNoWriteCouldMeet() {
    assertThatThrownBy(() -> KafkaSettings.fromEnv(new Env(Map.of(
        "KAFKA_REPLICATION_FACTOR", "2", "KAFKA_MIN_INSYNC_REPLICAS", "3")), "test"))
        .hasMessageContaining("KAFKA_MIN_INSYNC_REPLICAS (3) cannot be larger than KAFKA_REPLICATION_FACTOR (2)");
    assertThatThrownBy(() -> new TopicReplication(0, 3).resolve(1))
        .hasMessageContaining("set KAFKA_REPLICATION_FACTOR too");
    assertThatThrownBy(() -> new TopicReplication(-1, 0)).hasMessageContaining("KAFKA_REPLICATION_FACTOR");
  }
}
