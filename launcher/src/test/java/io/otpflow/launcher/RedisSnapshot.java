package io.otpflow.launcher;

import java.util.HashSet;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The keys in Redis at one moment, to show that a refused request wrote nothing. Comparing key
 * counts is not enough on a Redis shared by the whole test run: other tests' keys expire meanwhile,
 * so the claim checked is "no key appeared", whatever left.
 */
final class RedisSnapshot {
  private final Set<String> keys;

  private RedisSnapshot(Set<String> keys) {
    this.keys = keys;
  }

  static RedisSnapshot of(UnifiedJedis redis) {
    return new RedisSnapshot(all(redis));
  }

  /** Keys that exist now and did not when the snapshot was taken. */
  Set<String> newKeys(UnifiedJedis redis) {
    Set<String> now = all(redis);
    now.removeAll(keys);
    return now;
  }

  private static Set<String> all(UnifiedJedis redis) {
    Set<String> found = new HashSet<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().count(1000));
      found.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    return found;
  }
}
