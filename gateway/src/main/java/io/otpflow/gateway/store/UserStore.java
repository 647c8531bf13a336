package io.otpflow.gateway.store;

import io.otpflow.common.PasswordHash;
import io.otpflow.common.events.AccountView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * The people who sign in through the hosted pages, per tenant: one Redis hash each
 * ({@code otp:web:user:{t:<tenant>}:<username>}) and a set of usernames per tenant. The gateway is the
 * only writer. A person's 2FA factors are not here: they live in the account registry under their
 * account ({@link User#account()}, {@code ~<username>}: see {@link HostedAccounts}), owned by the verifier.
 */
public final class UserStore {
  /** Lowercase letters, digits and . _ @ - : usernames are compared as typed, so one spelling each. */
  public static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
  public static final int MIN_PASSWORD = 10;
  public static final int MAX_PASSWORD = 256;
  /** The hash field with the person's registry account; absent for people created before {@link HostedAccounts}. */
  static final String ACCOUNT = "account";

  public enum Role { USER, ADMIN }

  /**
   * @param external sign-in is handled by an external identity provider: no password here, exempt from this 2FA
   * @param twoFactorRequired an admin requires 2FA for this person, whatever the company policy
   * @param graceSignInsUsed sign-ins without 2FA since 2FA became required
   * @param account the account in the 2FA registry that holds this person's factors
   */
  public record User(String tenant, String username, String displayName, String passwordHash, Role role, boolean external,
      boolean disabled, boolean twoFactorRequired, int graceSignInsUsed, Instant createdAt, Instant lastSignInAt,
      String account) {
    /** A person of the reserved namespace ({@link HostedAccounts#of}). */
    public User(String tenant, String username, String displayName, String passwordHash, Role role, boolean external,
        boolean disabled, boolean twoFactorRequired, int graceSignInsUsed, Instant createdAt, Instant lastSignInAt) {
      this(tenant, username, displayName, passwordHash, role, external, disabled, twoFactorRequired, graceSignInsUsed,
          createdAt, lastSignInAt, HostedAccounts.of(username));
    }

    public boolean isAdmin() {
      return role == Role.ADMIN;
    }
  }

  /**
   * Argon2id hashes one gateway computes at once, at most. Each takes its memory (19 MiB) and a core
   * for tens of milliseconds, and runs on the worker threads every page shares: without a bound, sign-ins
   * sent at once from many addresses (each within its per-address limit) would take every worker thread
   * and the memory with them.
   */
  static final int HASHES_AT_ONCE = Math.max(2, Runtime.getRuntime().availableProcessors());
  /** How long a request waits for a free slot before it is refused ({@link Busy}) instead of queueing. */
  static final long HASH_WAIT_MILLIS = 1000;

  /** Every hashing slot stayed taken for {@link #HASH_WAIT_MILLIS}: the request is refused, nothing was checked. */
  public static final class Busy extends RuntimeException {
    Busy() {
      super("Too many password checks at once.", null, false, false);
    }
  }

  private final UnifiedJedis redis;
  private final PasswordHash hasher;
  /** Package-private for tests, which hold it to see a busy gateway. */
  final Semaphore slots = new Semaphore(HASHES_AT_ONCE);
  /** Verified against when the username is unknown, so an unknown user costs the same hash as a wrong password. */
  private final String dummyHash;

  public UserStore(UnifiedJedis redis, PasswordHash hasher) {
    this.redis = redis;
    this.hasher = hasher;
    this.dummyHash = hasher.hash("not-a-password-anyone-has");
  }

  static String key(String tenant, String username) {
    return "otp:web:user:{t:" + tenant + "}:" + username;
  }

  static String index(String tenant) {
    return "otp:web:users:{t:" + tenant + "}";
  }

  /** Creates a user; empty when the username is taken. {@code password} is null for an external user. */
  public Optional<User> create(String tenant, String username, String displayName, String password, Role role,
      boolean external, Instant now) {
    if (!USERNAME.matcher(username).matches()) {
      throw new IllegalArgumentException("invalid username");
    }
    String hash = external || password == null ? "" : hashing(() -> hasher.hash(password)); // before anything is written
    if (redis.sadd(index(tenant), username) == 0) {
      return Optional.empty();
    }
    Map<String, String> fields = new HashMap<>();
    fields.put("display_name", displayName);
    fields.put("password", hash);
    fields.put("role", role.name().toLowerCase());
    fields.put("external", Boolean.toString(external));
    fields.put("disabled", "false");
    fields.put("required", "false");
    fields.put("grace_used", "0");
    fields.put("created_at", now.toString());
    fields.put(ACCOUNT, HostedAccounts.of(username));
    redis.hset(key(tenant, username), fields);
    return find(tenant, username);
  }

  public Optional<User> find(String tenant, String username) {
    if (username == null || !USERNAME.matcher(username).matches()) {
      return Optional.empty();
    }
    Map<String, String> h = redis.hgetAll(key(tenant, username));
    return h.isEmpty() ? Optional.empty() : Optional.of(fromHash(tenant, username, h));
  }

  /** Every user of the tenant, by username. */
  public List<User> list(String tenant) {
    List<User> users = new ArrayList<>();
    for (String username : redis.smembers(index(tenant)).stream().sorted().toList()) {
      find(tenant, username).ifPresent(users::add);
    }
    return users;
  }

  /**
   * The user whose password this is; empty for an unknown user, a wrong password, an external or a
   * disabled user. Always runs one Argon2id verification, so the answer takes as long either way.
   */
  public Optional<User> authenticate(String tenant, String username, String password) {
    Optional<User> user = find(tenant, username);
    String hash = user.map(User::passwordHash).filter(h -> !h.isEmpty()).orElse(dummyHash);
    boolean matches = hashing(() -> PasswordHash.verify(hash, password));
    return user.filter(u -> matches && !u.external() && !u.disabled() && !u.passwordHash().isEmpty());
  }

  public void setDisabled(String tenant, String username, boolean disabled) {
    redis.hset(key(tenant, username), "disabled", Boolean.toString(disabled));
  }

  public void setTwoFactorRequired(String tenant, String username, boolean required) {
    redis.hset(key(tenant, username), "required", Boolean.toString(required));
  }

  public void setPassword(String tenant, String username, String password) {
    redis.hset(key(tenant, username), "password", hashing(() -> hasher.hash(password)));
  }

  /** Counts a sign-in without 2FA against the grace the policy gives; returns how many are used now. */
  public long useGraceSignIn(String tenant, String username) {
    return redis.hincrBy(key(tenant, username), "grace_used", 1);
  }

  /**
   * The lazy half of the move to {@link HostedAccounts}: a person still on their plain-username account
   * whose account holds nothing ({@code view}, read just now) moves to {@code ~<username>}; anyone else
   * is returned as they are.
   */
  public User moveToReservedAccount(User user, AccountView view) {
    if (!user.account().equals(user.username()) || !HostedAccounts.empty(view)) {
      return user;
    }
    String reserved = HostedAccounts.of(user.username());
    redis.hset(key(user.tenant(), user.username()), ACCOUNT, reserved);
    return new User(user.tenant(), user.username(), user.displayName(), user.passwordHash(), user.role(), user.external(),
        user.disabled(), user.twoFactorRequired(), user.graceSignInsUsed(), user.createdAt(), user.lastSignInAt(), reserved);
  }

  public void recordSignIn(String tenant, String username, Instant at) {
    redis.hset(key(tenant, username), "last_sign_in_at", at.toString());
  }

  /** {@code work} (one Argon2id hash) in one of the {@link #HASHES_AT_ONCE} slots; {@link Busy} when none frees up in time. */
  private <T> T hashing(Supplier<T> work) {
    try {
      if (!slots.tryAcquire(HASH_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new Busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Busy();
    }
    try {
      return work.get();
    } finally {
      slots.release();
    }
  }

  private static User fromHash(String tenant, String username, Map<String, String> h) {
    return new User(tenant, username, h.getOrDefault("display_name", username), h.getOrDefault("password", ""),
        "admin".equals(h.get("role")) ? Role.ADMIN : Role.USER, Boolean.parseBoolean(h.get("external")),
        Boolean.parseBoolean(h.get("disabled")), Boolean.parseBoolean(h.get("required")),
        Integer.parseInt(h.getOrDefault("grace_used", "0")), instant(h.get("created_at")), instant(h.get("last_sign_in_at")),
        h.getOrDefault(ACCOUNT, username)); // absent: created before the reserved namespace, still on the plain username
  }

  private static Instant instant(String s) {
    return s == null || s.isEmpty() ? null : Instant.parse(s);
  }
}
