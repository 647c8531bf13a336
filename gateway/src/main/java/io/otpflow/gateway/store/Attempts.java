package io.otpflow.gateway.store;

import io.otpflow.common.LuaScript;
import io.otpflow.common.TenantDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * The password's limit, in Redis so every gateway instance shares it: growing waits instead of a
 * hard block. Two counters per attempt ({@code otp:web:attempts:{t:<tenant>}:<kind>:<hash>}):
 * <ul>
 *   <li>per (client address, username): {@link #FREE_PER_PAIR} free failures, then each further try
 *       waits 1 s, 2 s, 4 s … up to {@link #MAX_WAIT_PER_PAIR}. This is what slows a guesser down, and
 *       it holds back only the address that guesses: a whole office behind one address, or every user
 *       behind a reverse proxy whose address is not trusted ({@code OTPFLOW_TRUSTED_PROXIES}), still
 *       signs in, each under their own username.</li>
 *   <li>per username, from any address: {@link #FREE_PER_USER} free failures, then the same doubling
 *       but never above {@link #MAX_WAIT_PER_USER}. It bounds guessing spread over many addresses
 *       (one try per username per half minute at most), and because its wait stays that short, a
 *       stranger who types wrong passwords for someone can make them wait half a minute, never lock
 *       them out.</li>
 * </ul>
 * The failure is counted before the password is checked and cleared when it was right, in one atomic
 * step with reading the waits, so attempts sent at once cannot all slip under the limit. Counters are
 * forgotten {@link #KEEP} after their last failure. Wrong second-factor codes are counted and locked
 * by the verifier, apart from this.
 */
public final class Attempts {
  static final int FREE_PER_PAIR = 5;
  static final Duration MAX_WAIT_PER_PAIR = Duration.ofMinutes(15);
  static final int FREE_PER_USER = 10;
  static final Duration MAX_WAIT_PER_USER = Duration.ofSeconds(30);
  static final Duration FIRST_WAIT = Duration.ofSeconds(1);
  static final Duration KEEP = Duration.ofHours(1);
  private static final LuaScript ATTEMPT = LuaScript.fromResource(Attempts.class, "password-attempt.lua");
  private static final LuaScript REFUND = LuaScript.fromResource(Attempts.class, "password-refund.lua");

  /** What {@link #reserve} decided. */
  public sealed interface Reservation {}

  /** The attempt may go ahead; it counts as a failure unless {@link #succeeded} or {@link #refund} says otherwise. */
  public record Reserved(List<String> keys) implements Reservation {}

  /** Too many recent failures: try again in {@code seconds} (at least 1); nothing was counted. */
  public record Wait(long seconds) implements Reservation {
    /** "Try again in 8 seconds." */
    public String text() {
      return "Try again in " + (seconds < 60 ? seconds + (seconds == 1 ? " second." : " seconds.")
          : minutes(seconds) + ".");
    }
  }

  /** A wait in whole minutes, rounded up: "a minute", "8 minutes" (the pages' other waits say it the same way). */
  public static String minutes(long seconds) {
    long m = (seconds + 59) / 60;
    return m <= 1 ? "a minute" : m + " minutes";
  }

  private final UnifiedJedis redis;
  private final SingleAddressWarning warning;

  /** @param proxiesTrusted whether OTPFLOW_TRUSTED_PROXIES names any proxy (else a shared address is worth a warning) */
  public Attempts(UnifiedJedis redis, boolean proxiesTrusted) {
    this.redis = redis;
    this.warning = new SingleAddressWarning(proxiesTrusted);
  }

  static String key(String tenant, String kind, String subject) {
    return "otp:web:attempts:{t:" + tenant + "}:" + kind + ":" + subject;
  }

  /**
   * Reserves one password attempt of {@code username} (as typed, known or not, so unknown and known
   * names are limited alike) from client address {@code ip}.
   */
  public Reservation reserve(String tenant, String ip, String username, Instant now) {
    warning.observe(ip);
    // Addresses count as the answer API counts them: IPv6 by its /64, which one host can rotate through.
    List<String> keys = List.of(
        key(tenant, "password-pair", TenantDirectory.sha256(AnswerRateLimit.subject(ip) + "|" + username)),
        key(tenant, "password-user", TenantDirectory.sha256(username)));
    List<?> r = (List<?>) ATTEMPT.run(redis, keys, List.of(Long.toString(now.toEpochMilli()),
        Integer.toString(FREE_PER_PAIR), Long.toString(MAX_WAIT_PER_PAIR.toMillis()), Integer.toString(FREE_PER_USER),
        Long.toString(MAX_WAIT_PER_USER.toMillis()), Long.toString(FIRST_WAIT.toMillis()), Long.toString(KEEP.toMillis())));
    long waitMillis = ((Number) r.get(1)).longValue();
    return ((Number) r.get(0)).intValue() == 1 ? new Reserved(keys) : new Wait(Math.max(1, (waitMillis + 999) / 1000));
  }

  /** The password was right: the counters of this address and username start again. */
  public void succeeded(Reserved r) {
    redis.del(r.keys().toArray(String[]::new));
  }

  /** The password was never checked (the gateway was busy): the reserved failure is given back. */
  public void refund(Reserved r) {
    REFUND.run(redis, r.keys(), List.of(Integer.toString(FREE_PER_PAIR), Integer.toString(FREE_PER_USER)));
  }
}
