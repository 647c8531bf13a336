package io.otpflow.push;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.LuaScript;
import io.otpflow.common.RedisKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;

/**
 * The push dispatcher's Redis state: one hash per verification ({@link RedisKeys#pushState}) holding
 * each device's send and withdrawal claim, the event of a pending retry, the devices whose push was
 * accepted (for withdrawals) and whether a verdict arrived; and the retry queue, a sorted set of due
 * times ({@link RedisKeys#PUSH_RETRIES}). Every change to a claim is one Lua script, so two
 * dispatchers, or a redelivered event and a retry, never both send.
 */
final class RedisPushState implements RetryQueueWorker.Queue {
  static final String DECIDED = "decided";
  private static final LuaScript CLAIM = LuaScript.fromResource(RedisPushState.class, "claim.lua");
  private static final LuaScript SETTLE = LuaScript.fromResource(RedisPushState.class, "settle.lua");
  private static final LuaScript SCHEDULE = LuaScript.fromResource(RedisPushState.class, "schedule.lua");
  private static final LuaScript TAKE = LuaScript.fromResource(RedisPushState.class, "take.lua");
  private static final LuaScript DECIDE = LuaScript.fromResource(RedisPushState.class, "decide.lua");

  /** What claiming found: {@code claimed}, {@code existing} (with the earlier state) or {@code decided}. */
  record Claim(String status, String value) {}

  /** A due retry as taken from the queue: {@code take}, {@code decided}, {@code sent} (report again) or {@code stale}. */
  record Taken(String status, String verificationId, String field, int attempt, String event, String state) {}

  /** A verdict's effect: the decided value that won and the accepted devices' records by field. */
  record Decision(String decided, Map<String, String> devices) {}

  private final UnifiedJedis redis;

  RedisPushState(UnifiedJedis redis) {
    this.redis = redis;
  }

  static String sendField(String deviceId) {
    return "c:" + deviceId;
  }

  static String withdrawField(String deviceId) {
    return "w:" + deviceId;
  }

  static String deviceField(String deviceId) {
    return "d:" + deviceId;
  }

  String state(String verificationId, String field) {
    return redis.hget(RedisKeys.pushState(verificationId), field);
  }

  String decided(String verificationId) {
    return redis.hget(RedisKeys.pushState(verificationId), DECIDED);
  }

  Claim claim(String verificationId, String field, Duration keep, boolean blockedByVerdict) {
    List<?> r = (List<?>) CLAIM.run(redis, List.of(RedisKeys.pushState(verificationId)),
        List.of(field, Long.toString(keep.toMillis()), blockedByVerdict ? "1" : "0"));
    return new Claim((String) r.get(0), (String) r.get(1));
  }

  /** Sets the claim's final state (and, for an accepted send, the device's record); returns the decided value or null. */
  String settle(String verificationId, String field, String newState, String deviceField, String record, Duration keep) {
    return (String) SETTLE.run(redis, List.of(RedisKeys.pushState(verificationId)),
        List.of(field, newState, deviceField == null ? "" : deviceField, record == null ? "" : record,
            Long.toString(keep.toMillis())));
  }

  /** Parks the event for attempt {@code attempt}, due at {@code due}. */
  void schedule(String verificationId, String field, int attempt, String event, Instant due, Duration keep) {
    SCHEDULE.run(redis, List.of(RedisKeys.pushState(verificationId)),
        List.of(field, Integer.toString(attempt), event, Long.toString(keep.toMillis())));
    enqueue(verificationId, field, attempt, due);
  }

  /** Puts a parked retry (back) on the queue; an entry already there keeps its due time. */
  void enqueue(String verificationId, String field, int attempt, Instant due) {
    redis.zadd(RedisKeys.PUSH_RETRIES, due.toEpochMilli(), member(verificationId, field, attempt), ZAddParams.zAddParams().nx());
  }

  /** Forgets a claim whose outcome could not be published, so the redelivered event starts afresh (nothing was sent). */
  void release(String verificationId, String field) {
    redis.hdel(RedisKeys.pushState(verificationId), field, "r:" + field);
  }

  /** Drops a finished retry's parked event. */
  void forget(String verificationId, String field) {
    redis.hdel(RedisKeys.pushState(verificationId), "r:" + field);
  }

  @Override
  public List<String> due(Instant now, int limit) {
    return redis.zrangeByScore(RedisKeys.PUSH_RETRIES, 0, now.toEpochMilli(), 0, limit);
  }

  @Override
  public long queued() {
    return redis.zcard(RedisKeys.PUSH_RETRIES);
  }

  Taken take(String member) {
    String[] parts = member.split(" ");
    if (parts.length != 3 || !parts[2].matches("\\d{1,3}")) {
      return new Taken("stale", null, null, 0, null, null);
    }
    int attempt = Integer.parseInt(parts[2]);
    boolean send = parts[1].startsWith("c:");
    List<?> r = (List<?>) TAKE.run(redis, List.of(RedisKeys.pushState(parts[0])),
        List.of(parts[1], parts[2], send ? "1" : "0"));
    return new Taken((String) r.get(0), parts[0], parts[1], attempt, (String) r.get(1), r.size() > 2 ? (String) r.get(2) : null);
  }

  void dequeue(String member) {
    redis.zrem(RedisKeys.PUSH_RETRIES, member);
  }

  Decision decide(String verificationId, String decided, Duration keep) {
    List<?> r = (List<?>) DECIDE.run(redis, List.of(RedisKeys.pushState(verificationId)),
        List.of(decided, Long.toString(keep.toMillis())));
    Map<String, String> devices = new LinkedHashMap<>();
    for (int i = 1; i + 1 < r.size(); i += 2) {
      devices.put((String) r.get(i), (String) r.get(i + 1));
    }
    return new Decision((String) r.get(0), devices);
  }

  static String member(String verificationId, String field, int attempt) {
    return verificationId + " " + field + " " + attempt;
  }
}
