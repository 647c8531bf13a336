package io.otpflow.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member run in its own JVM by {@link ConsumerRecoveryTest}, so that it can be SIGKILLed
 * like a crashed service: no leave-group request, no clean close. It takes the services' own
 * consumer settings ({@link KafkaSettings#consumer}) and applies the candidate's changes on top
 * ({@code key=value} sets, {@code key=} removes), then prints what it is given and what it consumes.
 *
 * <p>Arguments: {@code <group> <topic> [key=value...]}; the environment (KAFKA_BOOTSTRAP_SERVERS
 * and the rest) is read as a service reads it.
 */
public final class ProbeConsumer {
  private ProbeConsumer() {}

  public static void main(String[] args) {
    KafkaSettings settings = KafkaSettings.fromEnv(io.otpflow.common.Env.system(), "probe");
    Properties properties = settings.consumer(args[0]);
    for (int i = 2; i < args.length; i++) {
      String[] change = args[i].split("=", 2);
      if (change[1].isEmpty()) {
        properties.remove(change[0]);
      } else {
        properties.put(change[0], change[1]);
      }
    }
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties)) {
      consumer.subscribe(List.of(args[1]), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          System.out.println("assigned " + partitions.size());
          System.out.flush();
        }
      });
      while (true) {
        var records = consumer.poll(Duration.ofMillis(100));
        for (ConsumerRecord<String, byte[]> record : records) {
          System.out.println("consumed " + record.key());
        }
        if (!records.isEmpty()) {
          System.out.flush();
          consumer.commitSync();
        }
      }
    }
  }
}
