package io.otpflow.common;

import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.executors.CommandExecutor;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * Jedis's default executor for one server or a Sentinel-watched master (take a pooled connection, run,
 * give it back), running each command through {@link ConnectionCommands}. No retry, as Jedis's own:
 * a failed command is the caller's to decide on.
 */
final class PooledCommandExecutor implements CommandExecutor {
  private final ConnectionProvider provider;
  private final ConnectionCommands commands;

  PooledCommandExecutor(ConnectionProvider provider, ConnectionCommands commands) {
    this.provider = provider;
    this.commands = commands;
  }

  @Override
  public <T> T executeCommand(CommandObject<T> command) {
    try (Connection connection = provider.getConnection(command.getArguments())) {
      return commands.run(connection, command);
    }
  }

  @Override
  public void close() throws Exception {
    provider.close();
  }
}
