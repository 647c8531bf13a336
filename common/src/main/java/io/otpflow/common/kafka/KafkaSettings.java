package io.otpflow.common.kafka;

import io.otpflow.common.Env;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How every otpflow service talks to Kafka. Each setting that differs from the client default says why.
 *
 * @param bootstrapServers from KAFKA_BOOTSTRAP_SERVERS
 * @param clientId prefix for client ids, so broker logs and metrics name the service
 * @param partitions partitions per topic when the platform creates its topics
 * @param replication replication factor and min.insync.replicas of the topics the platform creates
 */
public record KafkaSettings(String bootstrapServers, String clientId, int partitions, TopicReplication replication) {
  /** With the replication derived from the cluster (tests, tools). */
  public KafkaSettings(String bootstrapServers, String clientId, int partitions) {
    this(bootstrapServers, clientId, partitions, TopicReplication.DERIVED);
  }

  public KafkaSettings {
    if (replication == null) {
      throw new IllegalArgumentException("The topic replication settings are required.");
    }
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("KAFKA_BOOTSTRAP_SERVERS must name at least one broker.");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("KAFKA_PARTITIONS must be at least 1.");
    }
  }

  public static KafkaSettings fromEnv(Env env, String service) {
    return new KafkaSettings(
        env.string("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        service,
        env.integer("KAFKA_PARTITIONS", 6),
        new TopicReplication(env.integer("KAFKA_REPLICATION_FACTOR", 0), env.integer("KAFKA_MIN_INSYNC_REPLICAS", 0)));
  }

  public Properties producer() {
    Properties p = common();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // No event may be lost or doubled by a producer retry.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Request/reply traffic waits on each record: a short linger keeps latency low, still batching under load.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    // send() blocks while metadata is missing (broker down); bound it so callers answer 503 in time.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
    // A record not acknowledged within this time fails instead of waiting for the default two minutes.
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    return p;
  }

  public Properties consumer(String groupId) {
    Properties p = common();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    // Offsets are committed after the side effect, never before it.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group must not skip what was produced before it first joined.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Fetches return as soon as one record is there: requests are latency-bound, not throughput-bound.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    // A batch is committed only when every record of it is done: smaller batches bound what one slow record holds back.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
    // A member that dies without leaving (SIGKILL, crash) keeps its partitions until this expires: 6 s
    // (the brokers' default minimum) instead of 45 s, measured against the other choices in docs/operations.md.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    // A third of the session timeout, as Kafka advises: one late heartbeat does not yet expire the member.
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000");
    return p;
  }

  public Properties admin() {
    Properties p = common();
    // Readiness and topic set-up ask the admin client: a dead broker must answer "down" in seconds, not minutes.
    p.put("request.timeout.ms", "3000");
    p.put("default.api.timeout.ms", "5000");
    return p;
  }

  private Properties common() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    // Names the service in broker logs and metrics; the suffix keeps the clients of one JVM apart.
    p.put("client.id", clientId + "-" + Integer.toHexString(System.identityHashCode(p)));
    // Reconnect quickly after a broker restart, but without hammering it.
    p.put("reconnect.backoff.ms", "100");
    p.put("reconnect.backoff.max.ms", "1000");
    return p;
  }
}
