package io.otpflow.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Times every Redis command in one place: {@link ConnectionCommands}, which every call of a store and
 * every {@link LuaScript} run goes through, on one server as on a cluster. Scripts are named by their
 * file ("check", "send-limits"), found from the SHA-1 that EVALSHA sends. MULTI/EXEC transactions and
 * pipelines bypass it and are not timed.
 *
 * <p>Outcomes: {@code ok}; {@code noscript} (the first EVALSHA after a Redis restart, answered by
 * EVAL right after: expected, not an error); {@code timeout}; {@code connection} (refused, reset,
 * no pooled connection); {@code error} (Redis answered with an error, or too few replicas
 * acknowledged a deciding write).
 */
final class RedisCommandMetrics {
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  RedisCommandMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  <T> T time(CommandArguments args, Supplier<T> command) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = command.get();
      outcome = "ok";
      return result;
    } catch (JedisNoScriptException e) {
      outcome = "noscript";
      throw e;
    } catch (JedisConnectionException e) {
      outcome = hasCause(e, SocketTimeoutException.class) ? "timeout" : "connection";
      throw e;
    } finally {
      timer(args, outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(CommandArguments args, String outcome) {
    String name = new String(args.getCommand().getRaw(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    String script = Metrics.NONE;
    if (("evalsha".equals(name) || "eval".equals(name)) && args.size() > 1) {
      String found = LuaScript.nameOf(scriptSha1(args));
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

  /** The SHA-1 of the script an EVAL or EVALSHA runs, or null for any other command. */
  static String scriptSha1(CommandArguments args) {
    String name = new String(args.getCommand().getRaw(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    if (args.size() < 2 || !("evalsha".equals(name) || "eval".equals(name))) {
      return null;
    }
    String first = new String(args.get(1).getRaw(), StandardCharsets.UTF_8);
    return "evalsha".equals(name) ? first : LuaScript.sha1(first);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
