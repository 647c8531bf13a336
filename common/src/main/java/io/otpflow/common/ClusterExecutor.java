package io.otpflow.common;

import java.time.Duration;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.StaticCommandFlagsRegistry;
import redis.clients.jedis.executors.ClusterCommandExecutor;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Jedis's cluster executor (slot routing, MOVED/ASK, topology refresh, multi-slot commands split
 * by slot), with each attempt run through {@link ConnectionCommands}: so a deciding script's
 * {@code WAIT} goes to the node that owns its key, on the connection that wrote.
 *
 * <p>It stays a {@link ClusterCommandExecutor} because the cluster client needs one for commands
 * over several slots (a DEL of keys in different slots, PING to every node).
 */
final class ClusterExecutor extends ClusterCommandExecutor {
  private final ConnectionCommands commands;

  ClusterExecutor(ClusterConnectionProvider provider, int maxAttempts, Duration maxTotalRetries, ConnectionCommands commands) {
    super(provider, maxAttempts, maxTotalRetries, StaticCommandFlagsRegistry.registry());
    this.commands = commands;
  }

  @Override
  protected <T> T execute(Connection connection, CommandObject<T> command) {
    return commands.run(connection, command);
  }
}
