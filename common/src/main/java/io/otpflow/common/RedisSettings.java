package io.otpflow.common;

import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * How services reach Redis. Timeouts are short on purpose: when Redis is down, checks must fail
 * closed and answer 503 quickly rather than hang.
 */
public record RedisSettings(URI uri, Duration connectTimeout, Duration commandTimeout, int poolSize) {
  public RedisSettings {
    if (uri == null || !"redis".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("REDIS_URL must look like redis://host:port, got " + uri);
    }
  }

  public static RedisSettings fromEnv(Env env) {
    return new RedisSettings(
        URI.create(env.string("REDIS_URL", "redis://127.0.0.1:6379")),
        env.duration("REDIS_CONNECT_TIMEOUT", Duration.ofMillis(500)),
        env.duration("REDIS_COMMAND_TIMEOUT", Duration.ofSeconds(1)),
        env.integer("REDIS_POOL_SIZE", 64));
  }

  public RedisClient connect() {
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    // Waiting for a pooled connection is bounded like every other call.
    pool.setMaxWait(commandTimeout);
    pool.setJmxEnabled(false);
    int port = uri.getPort() > 0 ? uri.getPort() : 6379;
    return RedisClient.builder()
        .hostAndPort(new HostAndPort(uri.getHost(), port))
        .clientConfig(
            DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connectTimeout.toMillis())
                .socketTimeoutMillis((int) commandTimeout.toMillis())
                .build())
        .poolConfig(pool)
        .build();
  }
}
