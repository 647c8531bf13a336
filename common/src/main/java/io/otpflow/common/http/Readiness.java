package io.otpflow.common.http;

import io.otpflow.common.kafka.KafkaSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import redis.clients.jedis.UnifiedJedis;

/** The readiness checks the services share: does Kafka answer, does Redis answer. */
public final class Readiness {
  private Readiness() {}

  /** One long-lived admin client; describeCluster is bounded so a dead broker answers "down" fast. */
  public static Callable<Boolean> kafka(Admin admin) {
    return () -> !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
  }

  public static Callable<Boolean> redis(UnifiedJedis redis) {
    return () -> "PONG".equals(redis.ping());
  }

  public static Admin admin(KafkaSettings settings) {
    return Admin.create(settings.admin());
  }
}
