package io.otpflow.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.executors.CommandExecutor;

/**
 * Times every Redis command in one place: the client's command executor, which every call of a
 * store and every {@link LuaScript} run goes through. Scripts are named by their file ("check",
 * "send-limits"), found from the SHA-1 that EVALSHA sends. MULTI/EXEC transactions bypass the
 * executor and are not timed.
 *
 * <p>Outcomes: {@code ok}; {@code noscript} (the first EVALSHA after a Redis restart, answered by
 * EVAL right after: expected, not an error); {@code timeout}; {@code connection} (refused, reset,
 * no pooled connection); {@code error} (Redis answered with an error).
 */
final class RedisCommandMetrics implements CommandExecutor {
  private final CommandExecutor delegate;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  RedisCommandMetrics(CommandExecutor delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public <T> T executeCommand(CommandObject<T> command) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = delegate.executeCommand(command);
      outcome = "ok";
      return result;
    } catch (JedisNoScriptException e) {
      outcome = "noscript";
      throw e;
    } catch (JedisConnectionException e) {
      outcome = hasCause(e, SocketTimeoutException.class) ? "timeout" : "connection";
      throw e;
    } finally {
      timer(command.getArguments(), outcome).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(CommandArguments args, String outcome) {
    String name = new String(args.getCommand().getRaw(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    String script = Metrics.NONE;
    if (("evalsha".equals(name) || "eval".equals(name)) && args.size() > 1) {
      String first = new String(args.get(1).getRaw(), StandardCharsets.UTF_8);
      String found = LuaScript.nameOf("evalsha".equals(name) ? first : LuaScript.sha1(first));
      script = found == null ? Metrics.UNKNOWN : found;
    }
    String key = name + '\u0000' + script + '\u0000' + outcome;
    String s = script;
    return timers.computeIfAbsent(key, k -> Timer.builder(Metrics.REDIS_COMMANDS)
        .description("Redis commands by command, Lua script and outcome")
        .tag(Metrics.TAG_COMMAND, name)
        .tag(Metrics.TAG_SCRIPT, s)
        .tag(Metrics.TAG_OUTCOME, outcome)
        .serviceLevelObjectives(Metrics.BUCKETS_REDIS)
        .register(registry));
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }
}
