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
