package io.otpflow.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent in full only when the server does not know it yet
 * (first use, or after a Redis restart emptied the script cache).
 */
public final class LuaScript {
  /** Script names by SHA-1, so Redis command metrics can say which script ran (see RedisCommandMetrics). */
  private static final Map<String, String> NAMES = new ConcurrentHashMap<>();
  /** SHA-1s of the scripts whose result is a decision a client is told (see {@link #decision}). */
  private static final java.util.Set<String> DECISIONS = ConcurrentHashMap.newKeySet();

  private final String source;
  private final String sha1;

  public LuaScript(String source) {
    this.source = source;
    this.sha1 = sha1(source);
  }

  /** The SHA-1 Redis names a script by (EVALSHA), in lowercase hex. */
  public static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The file name (without .lua) of a script loaded from the classpath, or null for any other SHA-1. */
  public static String nameOf(String sha1) {
    return sha1 == null ? null : NAMES.get(sha1);
  }

  /** Whether a SHA-1 is that of a {@linkplain #decision deciding} script. */
  static boolean isDecision(String sha1) {
    return sha1 != null && DECISIONS.contains(sha1);
  }

  /**
   * Loads a script whose writes decide what a client is told (an approval, a spent attempt, a used
   * TOTP step or recovery code): when the deployment has replicas, each run is followed by
   * {@code WAIT} on the same connection, and the call fails unless enough replicas have the write
   * (see {@code ConnectionCommands}), so a failover cannot undo a decision already given out.
   */
  public static LuaScript decision(Class<?> owner, String name) {
    LuaScript script = fromResource(owner, name);
    DECISIONS.add(script.sha1);
    return script;
  }

  /** Loads a script from the classpath, next to the class that runs it. */
  public static LuaScript fromResource(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Lua script " + name + " is missing from the classpath.");
      }
      LuaScript script = new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      NAMES.put(script.sha1, name.replaceFirst("\\.lua$", ""));
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
    try {
      return redis.evalsha(sha1, keys, args);
    } catch (JedisNoScriptException e) {
      return redis.eval(source, keys, args);
    }
  }
}
