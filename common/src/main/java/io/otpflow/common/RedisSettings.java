package io.otpflow.common;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.executors.DefaultCommandExecutor;
import redis.clients.jedis.providers.PooledConnectionProvider;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * How services reach Redis. Timeouts are short on purpose: when Redis is down, checks must fail
 * closed and answer 503 quickly rather than hang.
 */
public record RedisSettings(URI uri, Duration connectTimeout, Duration commandTimeout, int poolSize) {
  public RedisSettings {
    if (uri == null || !("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("REDIS_URL must look like redis://[user:password@]host:port[/db], got a different form.");
    }
  }

  public static RedisSettings fromEnv(Env env) {
    return new RedisSettings(
        URI.create(env.string("REDIS_URL", "redis://127.0.0.1:6379")),
        env.duration("REDIS_CONNECT_TIMEOUT", Duration.ofMillis(500)),
        env.duration("REDIS_COMMAND_TIMEOUT", Duration.ofSeconds(1)),
        env.integer("REDIS_POOL_SIZE", 64));
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The URL without credentials, for logs. */
  public String safeUri() {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getPath();
  }

  /** A client without metrics (tests of the stores). */
  public RedisClient connect() {
    return connect(null);
  }

  /** A pooled client; with a registry, every command is timed into it ({@link RedisCommandMetrics}). */
  public RedisClient connect(MeterRegistry registry) {
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    // Waiting for a pooled connection is bounded like every other call.
    pool.setMaxWait(commandTimeout);
    pool.setJmxEnabled(false);
    int port = uri.getPort() > 0 ? uri.getPort() : 6379;
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) connectTimeout.toMillis())
            .socketTimeoutMillis((int) commandTimeout.toMillis())
            .ssl("rediss".equals(uri.getScheme()));
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? null : decode(userInfo.substring(0, colon));
      String password = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
      if (user != null && !user.isEmpty()) {
        client.user(user);
      }
      client.password(password);
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      client.database(Integer.parseInt(path.substring(1)));
    }
    HostAndPort address = new HostAndPort(uri.getHost(), port);
    JedisClientConfig config = client.build();
    RedisClient.Builder builder = RedisClient.builder();
    builder.hostAndPort(address).clientConfig(config).poolConfig(pool);
    if (registry != null) {
      PooledConnectionProvider connections = new PooledConnectionProvider(address, config, pool);
      builder.connectionProvider(connections)
          .commandExecutor(new RedisCommandMetrics(new DefaultCommandExecutor(connections), registry));
    }
    return builder.build();
  }
}
