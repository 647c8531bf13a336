package io.otpflow.common;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * How services reach Redis: one server, a Redis Cluster or a Sentinel-watched master
 * ({@link RedisEndpoint}); every service holds the result as a {@link UnifiedJedis} and does not care
 * which. Timeouts are short on purpose: when Redis is down, checks must fail closed and answer 503
 * quickly rather than hang.
 *
 * @param waitReplicas how many replicas must have a deciding write before its answer goes out
 *     ({@link LuaScript#decision}); 0 never waits
 * @param waitTimeout how long a deciding write waits for them; shorter than {@code commandTimeout},
 *     or the socket would time out first
 * @param sentinelPassword the sentinels' own password, or null when they need none
 */
public record RedisSettings(RedisEndpoint endpoint, Duration connectTimeout, Duration commandTimeout, int poolSize,
    int waitReplicas, Duration waitTimeout, String sentinelPassword) {
  static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofMillis(500);
  /** Cluster: a command is tried on at most 3 nodes (MOVED after a failover, then the new master). */
  private static final int CLUSTER_ATTEMPTS = 3;
  /** Cluster: the slot map is refreshed this often even without a MOVED, so a failover is noticed early. */
  private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(2);

  public RedisSettings {
    if (endpoint == null) {
      throw new IllegalArgumentException("REDIS_URL is required. Expected " + RedisEndpoint.FORMS + ".");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("REDIS_POOL_SIZE must be at least 1, got " + poolSize + ".");
    }
    if (waitReplicas < 0 || waitReplicas > 16) {
      throw new IllegalArgumentException("REDIS_WAIT_REPLICAS must be from 0 to 16, got " + waitReplicas + ".");
    }
    if (waitReplicas > 0 && (waitTimeout.isNegative() || waitTimeout.isZero() || waitTimeout.compareTo(commandTimeout) >= 0)) {
      throw new IllegalArgumentException("REDIS_WAIT_TIMEOUT must be above 0 and below REDIS_COMMAND_TIMEOUT ("
          + commandTimeout.toMillis() + " ms), got " + waitTimeout.toMillis() + " ms.");
    }
  }

  /** One server or any other form of {@code url}, waiting for the form's default number of replicas. */
  public RedisSettings(URI url, Duration connectTimeout, Duration commandTimeout, int poolSize) {
    this(RedisEndpoint.parse(url.toString()), connectTimeout, commandTimeout, poolSize);
  }

  private RedisSettings(RedisEndpoint endpoint, Duration connectTimeout, Duration commandTimeout, int poolSize) {
    this(endpoint, connectTimeout, commandTimeout, poolSize, endpoint.defaultWaitReplicas(), DEFAULT_WAIT_TIMEOUT, null);
  }

  public static RedisSettings fromEnv(Env env) {
    RedisEndpoint endpoint = RedisEndpoint.parse(env.string("REDIS_URL", "redis://127.0.0.1:6379"));
    return new RedisSettings(
        endpoint,
        env.duration("REDIS_CONNECT_TIMEOUT", Duration.ofMillis(500)),
        env.duration("REDIS_COMMAND_TIMEOUT", Duration.ofSeconds(1)),
        env.integer("REDIS_POOL_SIZE", 64),
        env.integer("REDIS_WAIT_REPLICAS", endpoint.defaultWaitReplicas()),
        env.duration("REDIS_WAIT_TIMEOUT", DEFAULT_WAIT_TIMEOUT),
        env.string("REDIS_SENTINEL_PASSWORD", null));
  }

  /** The same settings with another replica wait (tests and benchmarks compare both). */
  public RedisSettings withWait(int replicas, Duration timeout) {
    return new RedisSettings(endpoint, connectTimeout, commandTimeout, poolSize, replicas, timeout, sentinelPassword);
  }

  /** The URL without the password, for logs. */
  public String safeUri() {
    return endpoint.safeUrl();
  }

  @Override
  public String toString() {
    return "RedisSettings[" + endpoint.safeUrl() + ", connectTimeout=" + connectTimeout + ", commandTimeout="
        + commandTimeout + ", poolSize=" + poolSize + ", waitReplicas=" + waitReplicas + ", waitTimeout=" + waitTimeout
        + ", sentinelPassword=" + (sentinelPassword == null ? "none" : "***") + "]";
  }

  /** A client without metrics (tests of the stores). */
  public UnifiedJedis connect() {
    return connect(null);
  }

  /** A pooled client; with a registry, every command is timed into it ({@link RedisCommandMetrics}). */
  public UnifiedJedis connect(MeterRegistry registry) {
    ConnectionCommands commands =
        new ConnectionCommands(registry == null ? null : new RedisCommandMetrics(registry), waitReplicas, waitTimeout);
    GenericObjectPoolConfig<Connection> pool = pool();
    return switch (endpoint) {
      case RedisEndpoint.Single single -> {
        JedisClientConfig config = clientConfig(single.credentials(), single.tls(), single.database());
        PooledConnectionProvider connections = new PooledConnectionProvider(single.node(), config, pool);
        yield RedisClient.builder().hostAndPort(single.node()).clientConfig(config).poolConfig(pool)
            .connectionProvider(connections).commandExecutor(new PooledCommandExecutor(connections, commands)).build();
      }
      case RedisEndpoint.Cluster cluster -> {
        JedisClientConfig config = clientConfig(cluster.credentials(), cluster.tls(), 0);
        ClusterConnectionProvider connections =
            new ClusterConnectionProvider(cluster.seeds(), config, pool, TOPOLOGY_REFRESH);
        yield RedisClusterClient.builder().nodes(cluster.seeds()).clientConfig(config).poolConfig(pool)
            .connectionProvider(connections)
            .commandExecutor(new ClusterExecutor(connections, CLUSTER_ATTEMPTS, commandTimeout.multipliedBy(2), commands))
            .build();
      }
      case RedisEndpoint.Sentinel sentinel -> {
        JedisClientConfig config = clientConfig(sentinel.credentials(), sentinel.tls(), sentinel.database());
        JedisClientConfig sentinels = clientConfig(
            new RedisEndpoint.Credentials(null, sentinelPassword), sentinel.tls(), 0);
        SentineledConnectionProvider connections =
            new SentineledConnectionProvider(sentinel.master(), config, pool, sentinel.sentinels(), sentinels);
        yield RedisSentinelClient.builder().masterName(sentinel.master()).sentinels(sentinel.sentinels())
            .clientConfig(config).sentinelClientConfig(sentinels).poolConfig(pool)
            .connectionProvider(connections).commandExecutor(new PooledCommandExecutor(connections, commands)).build();
      }
    };
  }

  private GenericObjectPoolConfig<Connection> pool() {
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    // Waiting for a pooled connection is bounded like every other call.
    pool.setMaxWait(commandTimeout);
    pool.setJmxEnabled(false);
    return pool;
  }

  private JedisClientConfig clientConfig(RedisEndpoint.Credentials credentials, boolean tls, int database) {
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) connectTimeout.toMillis())
            .socketTimeoutMillis((int) commandTimeout.toMillis())
            .ssl(tls)
            .database(database);
    if (credentials.password() != null) {
      client.user(credentials.user()).password(credentials.password());
    }
    return client.build();
  }
}
