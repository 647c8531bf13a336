package io.otpflow.gateway.store;

import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * Fixed-window counters in Redis for sign-in attempts ({@code otp:web:attempts:{t:<tenant>}:<kind>:<subject>}):
 * failed passwords per username and per client address. Shared by every gateway instance. This is
 * the password's limit only; wrong second-factor codes are counted and locked by the verifier, so
 * the two never lock each other.
 */
public final class Attempts {
  private final UnifiedJedis redis;

  public Attempts(UnifiedJedis redis) {
    this.redis = redis;
  }

  static String key(String tenant, String kind, String subject) {
    return "otp:web:attempts:{t:" + tenant + "}:" + kind + ":" + subject;
  }

  /** Counts one attempt; returns the count in the current window (which starts at the first one). */
  public long hit(String tenant, String kind, String subject, Duration window) {
    String key = key(tenant, kind, subject);
    long n = redis.incr(key);
    if (n == 1) {
      redis.pexpire(key, window.toMillis());
    }
    return n;
  }

  /** Attempts counted in the current window. */
  public long count(String tenant, String kind, String subject) {
    String v = redis.get(key(tenant, kind, subject));
    return v == null ? 0 : Long.parseLong(v);
  }

  /** Seconds until the window ends (at least 1 while it lasts), 0 when there is none. */
  public long secondsLeft(String tenant, String kind, String subject) {
    long ms = redis.pttl(key(tenant, kind, subject));
    return ms <= 0 ? 0 : Math.max(1, (ms + 999) / 1000);
  }

  public void clear(String tenant, String kind, String subject) {
    redis.del(key(tenant, kind, subject));
  }
}
