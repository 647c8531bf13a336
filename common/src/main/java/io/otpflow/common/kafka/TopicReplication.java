package io.otpflow.common.kafka;

/**
 * How many copies of each platform topic Kafka keeps, and how many of them must hold a record
 * before a producer (acks=all) is told it is written.
 *
 * <p>0 means "derive from the cluster": the replication factor becomes the number of live brokers,
 * at most 3, and {@code min.insync.replicas} one less, at least 1 and at most 2. So one broker gets
 * 1 and 1 (nothing else is possible there), three or more get the production values 3 and 2 (one
 * broker may be lost, or restarted, without refusing a write or losing an acknowledged one).
 *
 * @param replicationFactor from KAFKA_REPLICATION_FACTOR, 0 to derive it
 * @param minInsyncReplicas from KAFKA_MIN_INSYNC_REPLICAS, 0 to derive it from the replication factor
 */
public record TopicReplication(int replicationFactor, int minInsyncReplicas) {
  /** Both values derived from the cluster. */
  public static final TopicReplication DERIVED = new TopicReplication(0, 0);

  public TopicReplication {
    if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException("KAFKA_REPLICATION_FACTOR must be 0 (derive it from the cluster) or a positive number.");
    }
    if (minInsyncReplicas < 0) {
      throw new IllegalArgumentException("KAFKA_MIN_INSYNC_REPLICAS must be 0 (derive it) or a positive number.");
    }
    if (replicationFactor > 0 && minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException("KAFKA_MIN_INSYNC_REPLICAS (" + minInsyncReplicas
          + ") cannot be larger than KAFKA_REPLICATION_FACTOR (" + replicationFactor + "): no write would ever succeed.");
    }
  }

  /** Whether the broker count is needed to know the values. */
  public boolean needsCluster() {
    return replicationFactor == 0;
  }

  /**
   * The values for a cluster with {@code liveBrokers} brokers: configured ones as they are, the
   * others derived.
   */
  public Resolved resolve(int liveBrokers) {
    int rf = replicationFactor > 0 ? replicationFactor : Math.max(1, Math.min(3, liveBrokers));
    int minIsr = minInsyncReplicas > 0 ? minInsyncReplicas : Math.max(1, Math.min(2, rf - 1));
    if (minIsr > rf) {
      throw new IllegalStateException("KAFKA_MIN_INSYNC_REPLICAS is " + minIsr + " but the replication factor derived from "
          + liveBrokers + " live broker(s) is " + rf + ": set KAFKA_REPLICATION_FACTOR too.");
    }
    String origin = needsCluster() ? "derived from " + liveBrokers + " live broker(s)"
        : minInsyncReplicas == 0 ? "configured; min.insync.replicas derived from it" : "configured";
    return new Resolved(rf, minIsr, origin);
  }

  /**
   * The values topics are created with.
   *
   * @param origin "configured" or how they were derived, for log lines
   */
  public record Resolved(int replicationFactor, int minInsyncReplicas, String origin) {}
}
