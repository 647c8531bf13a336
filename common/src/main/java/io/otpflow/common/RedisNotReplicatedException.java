package io.otpflow.common;

import java.time.Duration;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A deciding write reached fewer replicas than required within the wait: it is on the master only,
 * and a failover now could lose it. A {@link JedisException}, so every caller that fails closed when
 * Redis fails (503, nothing approved) does the same here.
 */
public final class RedisNotReplicatedException extends JedisException {
  public RedisNotReplicatedException(long acknowledged, int required, Duration timeout) {
    super("Redis replicated a deciding write to " + acknowledged + " of the " + required
        + " required replicas within " + timeout.toMillis() + " ms; the decision is not confirmed.");
  }
}
