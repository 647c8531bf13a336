package io.otpflow.gateway.store;

import io.otpflow.common.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * What happened to one person's sign-ins and 2FA, newest first, for their security page and the
 * audit trail of admin actions ({@code otp:web:log:{t:<tenant>}:<username>}, the last {@link #KEEP}).
 * Entries hold no secrets: never a code, a password or a full phone number. The tenant-wide audit
 * log ({@code otp:web:audit:{t:<tenant>}}) keeps admin actions across people.
 *
 * @see Entry
 */
public final class ActivityLog {
  public static final int KEEP = 50;

  /**
   * @param kind sign-in, sign-in-failed, second-factor-failed, factor-added, factor-removed,
   *     recovery-codes, 2fa-off, admin-action, ...
   * @param actor who did it: the person's username, or "admin:&lt;username&gt;"
   * @param detail a sentence for people, no secrets
   * @param ip the client address, when it came from a browser
   */
  public record Entry(Instant at, String kind, String actor, String detail, String ip) {
    public boolean byAdmin() {
      return actor != null && actor.startsWith("admin:");
    }
  }

  private final UnifiedJedis redis;

  public ActivityLog(UnifiedJedis redis) {
    this.redis = redis;
  }

  static String key(String tenant, String username) {
    return "otp:web:log:{t:" + tenant + "}:" + username;
  }

  static String auditKey(String tenant) {
    return "otp:web:audit:{t:" + tenant + "}";
  }

  public void record(String tenant, String username, Entry entry) {
    String key = key(tenant, username);
    redis.lpush(key, Json.writeString(entry));
    redis.ltrim(key, 0, KEEP - 1);
  }

  /** An admin's action on a person: in their log (they are told until they have seen it) and in the tenant's audit log. */
  public void recordAdminAction(String tenant, String username, Entry entry) {
    record(tenant, username, entry);
    String audit = auditKey(tenant);
    redis.lpush(audit, Json.writeString(new Entry(entry.at(), entry.kind(), entry.actor(),
        username + ": " + entry.detail(), entry.ip())));
    redis.ltrim(audit, 0, 999);
  }

  /** An admin's change to the company as a whole (its 2FA policy): in the tenant's audit log only. */
  public void recordCompanyAction(String tenant, Entry entry) {
    String audit = auditKey(tenant);
    redis.lpush(audit, Json.writeString(entry));
    redis.ltrim(audit, 0, 999);
  }

  public List<Entry> recent(String tenant, String username, int max) {
    return read(key(tenant, username), max);
  }

  public List<Entry> audit(String tenant, int max) {
    return read(auditKey(tenant), max);
  }

  /** Admin actions on the person that they have not been shown yet, newest first. */
  public List<Entry> unseenAdminActions(String tenant, String username) {
    String seen = redis.get(seenKey(tenant, username));
    Instant since = seen == null ? Instant.EPOCH : Instant.parse(seen);
    // Being created is no news to the person signing in for the first time.
    return recent(tenant, username, KEEP).stream()
        .filter(e -> e.byAdmin() && e.at().isAfter(since) && !"user-created".equals(e.kind())).toList();
  }

  /** The person has been shown everything up to {@code now}. */
  public void markSeen(String tenant, String username, Instant now) {
    redis.set(seenKey(tenant, username), now.toString());
  }

  static String seenKey(String tenant, String username) {
    return "otp:web:seen:{t:" + tenant + "}:" + username;
  }

  private List<Entry> read(String key, int max) {
    List<Entry> entries = new ArrayList<>();
    for (String s : redis.lrange(key, 0, Math.max(0, max - 1))) {
      entries.add(Json.read(s.getBytes(StandardCharsets.UTF_8), Entry.class));
    }
    return entries;
  }
}
