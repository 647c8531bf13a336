package io.otpflow.gateway.store;


import io.otpflow.common.TenantDirectory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * Browser sessions of the hosted pages, in Redis so that any gateway instance serves any browser.
 * The cookie holds a random 256-bit id; Redis holds only its SHA-256 ({@code otp:web:session:<hash>}),
 * so a Redis dump cannot be replayed as cookies. A session expires after {@link #IDLE} without use
 * and at the latest {@link #ABSOLUTE} after it was created. Every change of stage (password
 * accepted, second factor accepted) gets a new id ({@link #advance}): a session id seen before
 * sign-in is worth nothing after it.
 *
 * <p>Anonymous sessions (someone looking at the sign-in form) are not stored at all: their CSRF
 * token is a MAC of their id, so any number of visitors costs Redis nothing. Only a person who got
 * their password right has a stored session.
 */
public final class SessionStore {
  public static final Duration IDLE = Duration.ofMinutes(30);
  public static final Duration ABSOLUTE = Duration.ofHours(12);
  /**
   * Session attribute: how the last sign-in skipped the second factor (the pages set it); the one
   * attribute {@link #renew} keeps. Named here so the store need not know the pages.
   */
  public static final String VIA = "via";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where a session is in signing in. */
  public enum Stage {
    /** No one signed in; the session only carries the sign-in form's CSRF token. */
    ANONYMOUS,
    /** The password was right; the second factor is due. */
    SECOND_FACTOR,
    /** The password was right; 2FA is required and must be set up before anything else. */
    SETUP,
    SIGNED_IN
  }

  /**
   * @param attributes small per-session values the pages keep (the pending verification, a
   *     one-time notice); never a secret
   */
  public record Session(String id, String tenant, String username, Stage stage, String csrf, Instant createdAt,
      Instant authenticatedAt, Map<String, String> attributes) {
    public Session {
      attributes = Map.copyOf(attributes);
    }

    public boolean signedIn() {
      return stage == Stage.SIGNED_IN;
    }

    public String attribute(String name) {
      return attributes.get(name);
    }
  }

  private final UnifiedJedis redis;
  private final io.otpflow.common.CodeMac csrfMac;

  /** @param csrfMac derives anonymous sessions' CSRF tokens, the same on every gateway instance */
  public SessionStore(UnifiedJedis redis, io.otpflow.common.CodeMac csrfMac) {
    this.redis = redis;
    this.csrfMac = csrfMac;
  }

  static String key(String id) {
    return "otp:web:session:" + TenantDirectory.sha256(id);
  }

  /** A new anonymous session for {@code tenant} (not stored). */
  public Session create(String tenant, Instant now) {
    return anonymous(randomToken(), tenant, now);
  }

  private Session anonymous(String id, String tenant, Instant now) {
    return new Session(id, tenant, null, Stage.ANONYMOUS, csrfMac.mac(tenant, "web-session", id), now, null, Map.of());
  }

  /**
   * The session with this cookie value in {@code tenant}: a stored one, or else (for any
   * well-formed id) an anonymous one; empty when the id is malformed.
   */
  public Optional<Session> find(String id, String tenant, Instant now) {
    if (id == null || !ID.matcher(id).matches()) {
      return Optional.empty();
    }
    Map<String, String> h = redis.hgetAll(key(id));
    if (h.isEmpty() || !tenant.equals(h.get("tenant"))) {
      return Optional.of(anonymous(id, tenant, now));
    }
    Instant created = Instant.parse(h.get("created_at"));
    if (!now.isBefore(created.plus(ABSOLUTE))) {
      redis.del(key(id));
      return Optional.of(anonymous(randomToken(), tenant, now));
    }
    Map<String, String> attributes = new HashMap<>();
    h.forEach((k, v) -> {
      if (k.startsWith("a:")) {
        attributes.put(k.substring(2), v);
      }
    });
    String authenticated = h.get("authenticated_at");
    Session s = new Session(id, h.get("tenant"), h.get("username"), Stage.valueOf(h.get("stage")), h.get("csrf"), created,
        authenticated == null ? null : Instant.parse(authenticated), attributes);
    redis.pexpire(key(id), ttl(s, now).toMillis());
    return Optional.of(s);
  }

  /**
   * Moves the session to {@code stage} for {@code username} under a new id and CSRF token, and deletes
   * the old id. The attributes are dropped: each stage starts clean.
   */
  public Session advance(Session old, String username, Stage stage, Instant now) {
    redis.del(key(old.id()));
    if (stage == Stage.ANONYMOUS) {
      return create(old.tenant(), now);
    }
    Session s = new Session(randomToken(), old.tenant(), username, stage, randomToken(),
        old.stage() == Stage.ANONYMOUS ? now : old.createdAt(), stage == Stage.SIGNED_IN ? now : old.authenticatedAt(),
        Map.of());
    save(s, now);
    return s;
  }

  /**
   * The same session under a new id and CSRF token (the old id deleted), for a change that must not
   * leave the old id usable (a new password). Stage, person and the time of the last full sign-in are
   * kept, and so is how that sign-in skipped the second factor ({@link #VIA}): a new id is not a new
   * sign-in, so it does not make the session fresh ({@code pages.RecentSecondFactor}). The other
   * attributes are dropped.
   */
  public Session renew(Session old, Instant now) {
    if (old.stage() == Stage.ANONYMOUS) {
      return create(old.tenant(), now);
    }
    redis.del(key(old.id()));
    String via = old.attribute(VIA);
    Session s = new Session(randomToken(), old.tenant(), old.username(), old.stage(), randomToken(), old.createdAt(),
        old.authenticatedAt(), via == null ? Map.of() : Map.of(VIA, via));
    save(s, now);
    return s;
  }

  /** Sets (or with null, removes) one attribute of a stored session; anonymous sessions keep none. */
  public Session withAttribute(Session s, String name, String value) {
    if (s.stage() == Stage.ANONYMOUS) {
      throw new IllegalStateException("An anonymous session is not stored and keeps no attributes.");
    }
    Map<String, String> attributes = new HashMap<>(s.attributes());
    if (value == null) {
      attributes.remove(name);
      redis.hdel(key(s.id()), "a:" + name);
    } else {
      attributes.put(name, value);
      redis.hset(key(s.id()), "a:" + name, value);
      if (redis.hget(key(s.id()), "stage") == null) {
        redis.del(key(s.id())); // the session ended meanwhile: leave no stray key without an expiry
      }
    }
    return new Session(s.id(), s.tenant(), s.username(), s.stage(), s.csrf(), s.createdAt(), s.authenticatedAt(),
        attributes);
  }

  public void delete(Session s) {
    redis.del(key(s.id()));
  }

  /** Ends every session of one person (an admin disabled them). */
  public void deleteAllOf(String tenant, String username) {
    String index = userIndex(tenant, username);
    for (String hash : redis.smembers(index)) {
      redis.del("otp:web:session:" + hash);
    }
    redis.del(index);
  }

  private void save(Session s, Instant now) {
    Map<String, String> h = new HashMap<>();
    h.put("tenant", s.tenant());
    h.put("stage", s.stage().name());
    h.put("csrf", s.csrf());
    h.put("created_at", s.createdAt().toString());
    if (s.username() != null) {
      h.put("username", s.username());
    }
    if (s.authenticatedAt() != null) {
      h.put("authenticated_at", s.authenticatedAt().toString());
    }
    s.attributes().forEach((k, v) -> h.put("a:" + k, v));
    String key = key(s.id());
    redis.hset(key, h);
    redis.pexpire(key, ttl(s, now).toMillis());
    if (s.username() != null) {
      String index = userIndex(s.tenant(), s.username());
      redis.sadd(index, TenantDirectory.sha256(s.id()));
      redis.pexpire(index, ABSOLUTE.toMillis());
    }
  }

  private static String userIndex(String tenant, String username) {
    return "otp:web:sessions:{t:" + tenant + "}:" + username;
  }

  private static Duration ttl(Session s, Instant now) {
    Duration left = Duration.between(now, s.createdAt().plus(ABSOLUTE));
    return left.compareTo(IDLE) < 0 ? (left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left) : IDLE;
  }

  /** 32 random bytes, base64url without padding: 43 characters. */
  public static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

}
