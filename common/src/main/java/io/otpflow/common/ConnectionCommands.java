package io.otpflow.common;

import java.time.Duration;
import java.util.function.Supplier;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;

/**
 * Runs one command on the connection the client chose for it (the pooled server, the master
 * Sentinel named, or the cluster node that owns the key's slot): timed when there is a registry, and,
 * after a {@linkplain LuaScript#decision deciding script}, followed by {@code WAIT} on that same
 * connection.
 *
 * <p>Why on the same connection: {@code WAIT} waits for the writes of the connection it is sent on,
 * so sent on another pooled connection it would wait for nothing. Why at all: Redis replicates
 * asynchronously, and a replica promoted after its master died may lack the last writes; an approval
 * or a spent attempt it lacks could be used again. So a decision goes out only once
 * {@code replicas} replicas have it; when fewer acknowledge within {@code timeout}, the command fails
 * with {@link RedisNotReplicatedException} and the caller fails closed (503), as if Redis were down.
 */
final class ConnectionCommands {
  private final RedisCommandMetrics metrics;
  private final int replicas;
  private final Duration timeout;

  /** @param metrics null for none; @param replicas 0 to never wait */
  ConnectionCommands(RedisCommandMetrics metrics, int replicas, Duration timeout) {
    this.metrics = metrics;
    this.replicas = replicas;
    this.timeout = timeout;
  }

  <T> T run(Connection connection, CommandObject<T> command) {
    T result = timed(command.getArguments(), () -> connection.executeCommand(command));
    if (replicas > 0 && LuaScript.isDecision(RedisCommandMetrics.scriptSha1(command.getArguments()))) {
      awaitReplicas(connection);
    }
    return result;
  }

  private void awaitReplicas(Connection connection) {
    CommandObject<Long> wait = new CommandObject<>(
        new CommandArguments(Protocol.Command.WAIT).add(replicas).add(timeout.toMillis()), BuilderFactory.LONG);
    long acknowledged = timed(wait.getArguments(), () -> connection.executeCommand(wait));
    if (acknowledged < replicas) {
      throw new RedisNotReplicatedException(acknowledged, replicas, timeout);
    }
  }

  private <T> T timed(CommandArguments args, Supplier<T> command) {
    return metrics == null ? command.get() : metrics.time(args, command);
  }
}
