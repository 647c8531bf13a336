package io.otpflow.sms;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.Json;
import io.otpflow.common.LuaScript;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.events.SmsDispatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZAddParams;

/**
 * The SMS dispatcher's Redis state: per dispatch event a claim ({@link RedisKeys#smsSent}), and the
 * retry queue ({@link RedisKeys#SMS_RETRIES}). A claim is a lease while a send is in progress
 * ({@code lease|<owner>|<until>|<phase>|<attempt>}), then {@code retry:<n>}, {@code sent:<provider id>}
 * or {@code failed}. Every change of a claim is one Lua script on that one key, so two dispatchers
 * never hold the same send; a lease whose owner died is taken over once it ran out.
 */
final class SmsClaims implements RetryQueueWorker.Queue {
  private static final LuaScript CLAIM = LuaScript.fromResource(SmsClaims.class, "claim.lua");
  private static final LuaScript TAKE = LuaScript.fromResource(SmsClaims.class, "take.lua");
  private static final LuaScript MARK = LuaScript.fromResource(SmsClaims.class, "mark.lua");

  /** A lease as stored: its owner, until when it holds, whether the provider call had started, the attempt. */
  record Lease(String owner, Instant until, boolean calling, int attempt) {
    /** The lease {@code state} encodes, or null when it is another state. */
    static Lease parse(String state) {
      if (state == null || !state.startsWith("lease|")) {
        return null;
      }
      String[] parts = state.split("\\|", -1);
      return new Lease(parts[1], Instant.ofEpochMilli(Long.parseLong(parts[2])), "calling".equals(parts[3]),
          Integer.parseInt(parts[4]));
    }
  }

  /** What claiming a send found. */
  sealed interface Claim {
    record Claimed() implements Claim {}

    /** The previous owner's lease ran out: this caller holds the send now. */
    record TakenOver(Lease expired) implements Claim {}

    /** The send is done, parked for a retry, or held by a live lease. */
    record Existing(String state) implements Claim {}
  }

  /** What taking a retry queue entry found. */
  sealed interface Taken {
    record Take() implements Taken {}

    record TakenOver(Lease expired) implements Taken {}

    /** Another dispatcher holds a live lease: look again when it ends. */
    record Busy(Instant until) implements Taken {}

    /** Accepted earlier: only its report may be missing. */
    record Sent(String providerMessageId) implements Taken {}

    /** Failed for good, expired, or an entry of another attempt: nothing to do. */
    record Done() implements Taken {}
  }

  /** A queue entry: the attempt to make and the event, sealed code and all, as it came from Kafka. */
  record Entry(int attempt, SmsDispatch dispatch) {}

  private final UnifiedJedis redis;

  SmsClaims(UnifiedJedis redis) {
    this.redis = redis;
  }

  String state(SmsDispatch d) {
    return redis.get(key(d));
  }

  Claim claim(SmsDispatch d, String owner, Instant now, Duration lease, Duration keep) {
    List<?> r = run(CLAIM, d, owner, Long.toString(now.toEpochMilli()), Long.toString(lease.toMillis()),
        Long.toString(keep.toMillis()));
    return switch ((String) r.get(0)) {
      case "claimed" -> new Claim.Claimed();
      case "takeover" -> new Claim.TakenOver(Lease.parse((String) r.get(1)));
      default -> new Claim.Existing((String) r.get(1));
    };
  }

  Taken take(Entry e, String owner, Instant now, Duration lease) {
    List<?> r = run(TAKE, e.dispatch(), Integer.toString(e.attempt()), owner, Long.toString(now.toEpochMilli()),
        Long.toString(lease.toMillis()));
    String value = (String) r.get(1);
    return switch ((String) r.get(0)) {
      case "take" -> new Taken.Take();
      case "takeover" -> new Taken.TakenOver(Lease.parse(value));
      case "busy" -> new Taken.Busy(Instant.ofEpochMilli(Long.parseLong(value)));
      case "sent" -> new Taken.Sent(value);
      default -> new Taken.Done();
    };
  }

  /** Says the provider call starts; false when the caller no longer holds the lease (then it must not call). */
  boolean calling(SmsDispatch d, String owner) {
    return mark(d, owner, "calling", Duration.ZERO);
  }

  /** Records an accepted send, whoever holds the lease; false when an earlier acceptance was recorded already. */
  boolean markSent(SmsDispatch d, String providerMessageId, Duration keep) {
    return "marked".equals(run(MARK, d, "", "sent:" + providerMessageId, Long.toString(keep.toMillis())).get(0));
  }

  /** Moves the caller's lease to {@code state} (retry:n, failed); false when the lease is no longer the caller's. */
  boolean mark(SmsDispatch d, String owner, String state, Duration keep) {
    return "marked".equals(run(MARK, d, owner, state, Long.toString(keep.toMillis())).get(0));
  }

  /** Drops the caller's lease: nothing was sent, so a redelivered event starts afresh. */
  void release(SmsDispatch d, String owner) {
    mark(d, owner, "", Duration.ZERO);
  }

  /** Adds an entry due at {@code due}; an entry already there keeps its due time. */
  void enqueue(Entry e, Instant due) {
    redis.zadd(RedisKeys.SMS_RETRIES, due.toEpochMilli(), member(e), ZAddParams.zAddParams().nx());
  }

  /**
   * Moves an entry that is being worked on to {@code due}: if its worker dies, the entry comes due
   * again when the lease has run out, and the next worker takes the send over.
   */
  void postpone(String member, Instant due) {
    redis.zadd(RedisKeys.SMS_RETRIES, due.toEpochMilli(), member, ZAddParams.zAddParams().xx());
  }

  void dequeue(String member) {
    redis.zrem(RedisKeys.SMS_RETRIES, member);
  }

  @Override
  public List<String> due(Instant now, int limit) {
    return redis.zrangeByScore(RedisKeys.SMS_RETRIES, 0, now.toEpochMilli(), 0, limit);
  }

  @Override
  public long queued() {
    return redis.zcard(RedisKeys.SMS_RETRIES);
  }

  /** {@code <attempt> <event JSON>}: enough to dispatch again with no other state. */
  static String member(Entry e) {
    return e.attempt() + " " + Json.writeString(e.dispatch());
  }

  /** The entry a member encodes; throws for one that is not (it is dropped). */
  static Entry entry(String member) {
    int space = member.indexOf(' ');
    if (space < 1 || space > 3) {
      throw new IllegalArgumentException("Not an SMS retry queue entry.");
    }
    return new Entry(Integer.parseInt(member.substring(0, space)),
        Json.read(member.substring(space + 1).getBytes(StandardCharsets.UTF_8), SmsDispatch.class));
  }

  private List<?> run(LuaScript script, SmsDispatch d, String... args) {
    return (List<?>) script.run(redis, List.of(key(d)), List.of(args));
  }

  private static String key(SmsDispatch d) {
    return RedisKeys.smsSent(d.verificationId(), d.eventId());
  }
}
