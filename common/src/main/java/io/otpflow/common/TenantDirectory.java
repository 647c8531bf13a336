package io.otpflow.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tenants, loaded once from JSON: the file named by OTPFLOW_TENANTS_FILE, or the JSON in
 * OTPFLOW_TENANTS. The format is in docs/configuration.md.
 */
public final class TenantDirectory {
  private final Map<String, Tenant> byId;
  private final Map<String, Tenant> byKeyHash;
  private final Map<String, Tenant> byAdminKeyHash;

  /** Who is calling: a tenant's application (its API key) or its administrators (its admin key). */
  public enum Role {
    USER,
    ADMIN
  }

  /** An authenticated caller. */
  public record Caller(Tenant tenant, Role role) {
    public boolean isAdmin() {
      return role == Role.ADMIN;
    }
  }

  public TenantDirectory(Collection<Tenant> tenants) {
    byId = new LinkedHashMap<>();
    byKeyHash = new LinkedHashMap<>();
    byAdminKeyHash = new LinkedHashMap<>();
    for (Tenant t : tenants) {
      if (byId.put(t.id(), t) != null) {
        throw new IllegalArgumentException("Tenant id " + t.id() + " appears twice.");
      }
      if (byKeyHash.put(t.apiKeySha256(), t) != null) {
        throw new IllegalArgumentException("Two tenants share one API key.");
      }
    }
    for (Tenant t : tenants) {
      if (t.adminKeySha256() != null
          && (byKeyHash.containsKey(t.adminKeySha256()) || byAdminKeyHash.put(t.adminKeySha256(), t) != null)) {
        throw new IllegalArgumentException("An admin API key is used twice (tenant " + t.id() + ").");
      }
    }
    if (byId.isEmpty()) {
      throw new IllegalArgumentException("At least one tenant must be configured.");
    }
  }

  public static TenantDirectory fromEnv(Env env) {
    String inline = env.string("OTPFLOW_TENANTS", null);
    String file = env.string("OTPFLOW_TENANTS_FILE", null);
    try {
      if (inline != null) {
        return parse(inline);
      }
      if (file != null) {
        return parse(Files.readString(Path.of(file)));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read OTPFLOW_TENANTS_FILE " + file + ": " + e.getMessage());
    }
    throw new IllegalArgumentException("Set OTPFLOW_TENANTS_FILE (a JSON file) or OTPFLOW_TENANTS (JSON).");
  }

  public static TenantDirectory parse(String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("The tenant configuration is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("The tenant configuration must be a JSON array of tenants.");
    }
    java.util.List<Tenant> tenants = new java.util.ArrayList<>();
    for (JsonNode node : root) {
      tenants.add(tenant(node));
    }
    return new TenantDirectory(tenants);
  }

  private static Tenant tenant(JsonNode n) {
    String id = n.path("id").asText(null);
    onlyKnown(n, TENANT_FIELDS, "tenant " + id);
    for (String section : java.util.List.of("limits", "lockout", "totp", "push")) {
      if (n.has(section) && !n.get(section).isObject()) {
        throw new IllegalArgumentException("Tenant " + id + ": " + section + " must be a JSON object.");
      }
    }
    onlyKnown(n.path("limits"), LIMIT_FIELDS, "limits of tenant " + id);
    onlyKnown(n.path("lockout"), LOCKOUT_FIELDS, "lockout of tenant " + id);
    onlyKnown(n.path("totp"), TOTP_FIELDS, "totp of tenant " + id);
    onlyKnown(n.path("push"), PUSH_FIELDS, "push of tenant " + id);
    String keyHash = n.path("api_key_sha256").asText(null);
    if (keyHash == null && n.hasNonNull("api_key")) {
      keyHash = sha256(n.get("api_key").asText()); // accepted for development files; stored hashed
    }
    String adminKeyHash = n.path("admin_api_key_sha256").asText(null);
    if (adminKeyHash == null && n.hasNonNull("admin_api_key")) {
      adminKeyHash = sha256(n.get("admin_api_key").asText());
    }
    JsonNode to = n.path("totp");
    Tenant.TotpSettings dt = Tenant.TotpSettings.DEFAULTS;
    Tenant.TotpSettings totp;
    try {
      totp = new Tenant.TotpSettings(
          to.hasNonNull("algorithm") ? Totp.Algorithm.fromName(to.get("algorithm").asText()) : dt.algorithm(),
          integer(to, "digits", dt.digits()),
          (int) duration(to, "period", Duration.ofSeconds(dt.periodSeconds())).toSeconds());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Tenant " + id + ": " + e.getMessage());
    }
    JsonNode pu = n.path("push");
    Tenant.PushSettings dp = Tenant.PushSettings.DEFAULTS;
    Tenant.PushSettings push =
        new Tenant.PushSettings(integer(pu, "max_devices", dp.maxDevices()), integer(pu, "max_unanswered", dp.maxUnanswered()));
    JsonNode l = n.path("limits");
    Tenant.SendLimits d = Tenant.SendLimits.DEFAULTS;
    Tenant.SendLimits limits =
        new Tenant.SendLimits(
            integer(l, "per_destination", d.perDestination()),
            duration(l, "destination_window", d.destinationWindow()),
            duration(l, "min_interval", d.minInterval()),
            integer(l, "per_account_per_hour", d.perAccount()),
            integer(l, "per_ip_per_hour", d.perIp()),
            integer(l, "per_tenant_per_minute", d.perTenant()));
    JsonNode lo = n.path("lockout");
    Tenant.Lockout dl = Tenant.Lockout.DEFAULTS;
    Tenant.Lockout lockout =
        new Tenant.Lockout(
            integer(lo, "threshold", dl.threshold()),
            duration(lo, "base_delay", dl.baseDelay()),
            duration(lo, "max_delay", dl.maxDelay()));
    return new Tenant(
        id,
        n.path("display_name").asText(id),
        keyHash,
        integer(n, "code_length", 6),
        duration(n, "code_ttl", Duration.ofMinutes(5)),
        integer(n, "max_checks", 5),
        n.path("sms_template").asText("{name}: your verification code is {code}. It expires in {minutes} minutes."),
        n.path("sender").asText(null),
        n.path("default_region").asText("US"),
        limits,
        lockout,
        adminKeyHash,
        totp,
        push,
        decimal(n, "daily_spend_cap"));
  }

  private static final java.util.Set<String> TENANT_FIELDS = java.util.Set.of(
      "id", "display_name", "api_key_sha256", "api_key", "code_length", "code_ttl", "max_checks", "sms_template",
      "sender", "default_region", "limits", "lockout", "admin_api_key_sha256", "admin_api_key", "totp", "push",
      "daily_spend_cap");
  private static final java.util.Set<String> LIMIT_FIELDS = java.util.Set.of(
      "per_destination", "destination_window", "min_interval", "per_account_per_hour", "per_ip_per_hour",
      "per_tenant_per_minute");
  private static final java.util.Set<String> LOCKOUT_FIELDS = java.util.Set.of("threshold", "base_delay", "max_delay");
  private static final java.util.Set<String> TOTP_FIELDS = java.util.Set.of("algorithm", "digits", "period");
  private static final java.util.Set<String> PUSH_FIELDS = java.util.Set.of("max_devices", "max_unanswered");

  /** A misspelt setting would silently fall back to its default: refuse it instead. */
  private static void onlyKnown(JsonNode node, java.util.Set<String> known, String where) {
    node.fieldNames().forEachRemaining(name -> {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("Unknown tenant setting '" + name + "' in " + where + ".");
      }
    });
  }

  private static int integer(JsonNode node, String field, int fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("Tenant setting " + field + " must be a whole number.");
    }
    return v.intValue();
  }

  /** A JSON number as an exact decimal (money: 0.1 stays 0.1), or null when absent. */
  private static java.math.BigDecimal decimal(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("Tenant setting " + field + " must be a number.");
    }
    return new java.math.BigDecimal(v.asText()).stripTrailingZeros();
  }

  private static Duration duration(JsonNode node, String field, Duration fallback) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? fallback : Env.parseDuration(field, v.asText());
  }

  public Optional<Tenant> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Looks a tenant up by API key; the lookup is by hash, so the key itself is never stored. */
  public Optional<Tenant> byApiKey(String apiKey) {
    if (apiKey == null || apiKey.isEmpty() || apiKey.length() > 200) {
      return Optional.empty();
    }
    return Optional.ofNullable(byKeyHash.get(sha256(apiKey)));
  }

  /** The caller an API key stands for: the tenant's application, or its administrators. */
  public Optional<Caller> callerByApiKey(String apiKey) {
    if (apiKey == null || apiKey.isEmpty() || apiKey.length() > 200) {
      return Optional.empty();
    }
    String hash = sha256(apiKey);
    Tenant user = byKeyHash.get(hash);
    if (user != null) {
      return Optional.of(new Caller(user, Role.USER));
    }
    return Optional.ofNullable(byAdminKeyHash.get(hash)).map(t -> new Caller(t, Role.ADMIN));
  }

  public Collection<Tenant> all() {
    return byId.values();
  }

  public static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
