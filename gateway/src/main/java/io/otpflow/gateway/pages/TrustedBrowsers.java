package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.SessionStore;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.TenantDirectory;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * "Trust this browser for 30 days": after a second factor, the browser may get a long-lived random
 * token in its own cookie ({@value #COOKIE}, HttpOnly, SameSite=Strict, Secure when configured,
 * scoped to /t/{tenant}); while it is valid for that person, their second factor is not asked again
 * (the password still is). Redis holds only the token's SHA-256 ({@code otp:web:trust:<sha256>} →
 * tenant, username, when, from where; expires after {@link #TTL}) and, per person, an index of their
 * trusted browsers by a short random id, so the security page lists and revokes them without ever
 * showing a token or its hash. Every trust of a person ends when they turn 2FA off or remove a factor.
 */
public final class TrustedBrowsers {
  public static final String COOKIE = "otpflow_trust";
  public static final Duration TTL = Duration.ofDays(30);
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

  /** One trusted browser as the security page lists it. */
  public record Trust(String id, Instant createdAt, Instant expiresAt, String ip, String browser, boolean current) {}

  private TrustedBrowsers() {}

  static String key(String tokenHash) {
    return "otp:web:trust:" + tokenHash;
  }

  static String index(String tenant, String username) {
    return "otp:web:trusts:{t:" + tenant + "}:" + username;
  }

  /** True when this browser carries a valid trust token for {@code user}. */
  public static boolean trusts(PageContext page, UserStore.User user) {
    String hash = cookieHash(page);
    if (hash == null) {
      return false;
    }
    Map<String, String> h = page.web().redis().hgetAll(key(hash));
    return user.tenant().equals(h.get("tenant")) && user.username().equals(h.get("username"))
        && page.web().redis().hexists(index(user.tenant(), user.username()), h.getOrDefault("id", ""));
  }

  /** Trusts this browser for {@code user} for {@link #TTL}: a new token in its cookie (replacing any other). */
  public static void remember(PageContext page, UserStore.User user) {
    UnifiedJedis redis = page.web().redis();
    String old = cookieHash(page);
    if (old != null) {
      forget(redis, old);
    }
    String token = SessionStore.randomToken();
    String hash = TenantDirectory.sha256(token);
    String id = SessionStore.randomToken();
    Instant now = page.web().clock().instant();
    Map<String, String> h = new HashMap<>();
    h.put("tenant", user.tenant());
    h.put("username", user.username());
    h.put("id", id);
    h.put("created_at", now.toString());
    h.put("ip", String.valueOf(page.clientIp()));
    h.put("browser", browserName(page.routing().request().getHeader("user-agent")));
    redis.hset(key(hash), h);
    redis.pexpire(key(hash), TTL.toMillis());
    String index = index(user.tenant(), user.username());
    redis.hset(index, id, hash);
    redis.pexpire(index, TTL.toMillis());
    page.routing().response().addCookie(cookie(page, token).setMaxAge(TTL.toSeconds()));
  }

  /** The person's trusted browsers, newest first; entries that expired are dropped from the index. */
  public static List<Trust> list(PageContext page, String username) {
    UnifiedJedis redis = page.web().redis();
    String index = index(page.tenant().id(), username);
    String mine = cookieHash(page);
    List<Trust> out = new ArrayList<>();
    for (Map.Entry<String, String> e : redis.hgetAll(index).entrySet()) {
      Map<String, String> h = redis.hgetAll(key(e.getValue()));
      long ttl = redis.pttl(key(e.getValue()));
      if (h.isEmpty() || ttl <= 0) {
        redis.hdel(index, e.getKey());
        continue;
      }
      Instant now = page.web().clock().instant();
      out.add(new Trust(e.getKey(), Instant.parse(h.get("created_at")), now.plusMillis(ttl), h.get("ip"),
          h.get("browser"), e.getValue().equals(mine)));
    }
    out.sort(Comparator.comparing(Trust::createdAt).reversed());
    return out;
  }

  /** Ends one trusted browser of the person; false when the id is not theirs. */
  public static boolean revoke(PageContext page, String username, String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return false;
    }
    UnifiedJedis redis = page.web().redis();
    String index = index(page.tenant().id(), username);
    String hash = redis.hget(index, id);
    if (hash == null) {
      return false;
    }
    redis.del(key(hash));
    redis.hdel(index, id);
    return true;
  }

  /** Ends every trusted browser of the person (2FA turned off, a factor removed, an admin's reset). */
  public static int revokeAll(UnifiedJedis redis, String tenant, String username) {
    String index = index(tenant, username);
    Map<String, String> all = redis.hgetAll(index);
    for (String hash : all.values()) {
      redis.del(key(hash));
    }
    redis.del(index);
    return all.size();
  }

  private static void forget(UnifiedJedis redis, String hash) {
    Map<String, String> h = redis.hgetAll(key(hash));
    redis.del(key(hash));
    if (h.get("tenant") != null && h.get("username") != null && h.get("id") != null) {
      redis.hdel(index(h.get("tenant"), h.get("username")), h.get("id"));
    }
  }

  private static String cookieHash(PageContext page) {
    Cookie c = page.routing().request().getCookie(COOKIE);
    return c == null || !TOKEN.matcher(c.getValue()).matches() ? null : TenantDirectory.sha256(c.getValue());
  }

  private static Cookie cookie(PageContext page, String value) {
    return Cookie.cookie(COOKIE, value).setPath("/t/" + page.tenant().id()).setHttpOnly(true)
        .setSecure(page.web().config().secureCookies()).setSameSite(CookieSameSite.STRICT);
  }

  /** "Chrome on Android" from a User-Agent, for the list only (never trusted for anything). */
  static String browserName(String ua) {
    if (ua == null) {
      return "A browser";
    }
    String browser = ua.contains("Edg/") ? "Edge" : ua.contains("Firefox/") ? "Firefox"
        : ua.contains("Chrome/") || ua.contains("Chromium/") ? "Chrome" : ua.contains("Safari/") ? "Safari" : "A browser";
    String os = ua.contains("Android") ? "Android" : ua.contains("iPhone") || ua.contains("iPad") ? "iOS"
        : ua.contains("Windows") ? "Windows" : ua.contains("Mac OS X") ? "macOS" : ua.contains("Linux") ? "Linux" : null;
    return os == null ? browser : browser + " on " + os;
  }
}
