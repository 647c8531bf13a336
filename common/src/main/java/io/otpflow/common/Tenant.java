package io.otpflow.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One customer of the platform and its settings. The API key is kept only as its SHA-256: keys are
 * long random strings, so a fast hash is enough to make a leaked tenant file useless for calling the API.
 *
 * @param id short, stable id used in keys, events and metric tags
 * @param displayName shown to end users in SMS text and push prompts
 * @param apiKeySha256 hex SHA-256 of the tenant's API key
 * @param codeLength digits per code, 4 to 10
 * @param codeTtl how long a code is good for, at most 10 minutes (NIST 800-63B)
 * @param maxChecks checks per verification before it locks
 * @param smsTemplate text with {code}, and optionally {name} and {minutes}
 * @param sender SMS sender (number or alphanumeric id); null means the provider's default
 * @param defaultRegion ISO region for national phone numbers without a country ("US", "DE")
 * @param limits send limits
 * @param lockout consecutive-failure lockout per account
 * @param adminKeySha256 hex SHA-256 of the tenant's admin API key (helpdesk actions, recorded as such); null for none
 * @param totp how the tenant's authenticator-app factors compute codes
 * @param push push devices per account and the fatigue guard
 * @param dailySpendCap most the tenant's SMS may cost per UTC day, in the price table's currency
 *     (OTPFLOW_SMS_PRICES); null means no cap
 */
public record Tenant(
    String id,
    String displayName,
    String apiKeySha256,
    int codeLength,
    Duration codeTtl,
    int maxChecks,
    String smsTemplate,
    String sender,
    String defaultRegion,
    SendLimits limits,
    Lockout lockout,
    String adminKeySha256,
    TotpSettings totp,
    PushSettings push,
    BigDecimal dailySpendCap) {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public Tenant {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("Tenant id must be 1-40 lowercase letters, digits or '-': " + id);
    }
    if (displayName == null || displayName.isBlank() || displayName.length() > 60) {
      throw new IllegalArgumentException("Tenant " + id + " needs a display name of 1-60 characters.");
    }
    if (apiKeySha256 == null || !HEX64.matcher(apiKeySha256).matches()) {
      throw new IllegalArgumentException("Tenant " + id + " needs api_key_sha256 as 64 lowercase hex digits.");
    }
    if (codeLength < 4 || codeLength > 10) {
      throw new IllegalArgumentException("Tenant " + id + ": code_length must be 4 to 10.");
    }
    if (codeTtl.isNegative() || codeTtl.isZero() || codeTtl.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("Tenant " + id + ": code_ttl must be more than 0 and at most 10 minutes.");
    }
    if (maxChecks < 1 || maxChecks > 20) {
      throw new IllegalArgumentException("Tenant " + id + ": max_checks must be 1 to 20.");
    }
    if (smsTemplate == null || !smsTemplate.contains("{code}") || smsTemplate.length() > 300) {
      throw new IllegalArgumentException("Tenant " + id + ": sms_template must contain {code} and fit 300 characters.");
    }
    if (defaultRegion == null || !defaultRegion.matches("[A-Z]{2}")) {
      throw new IllegalArgumentException("Tenant " + id + ": default_region must be a two-letter region like \"US\".");
    }
    if (adminKeySha256 != null && (!HEX64.matcher(adminKeySha256).matches() || adminKeySha256.equals(apiKeySha256))) {
      throw new IllegalArgumentException("Tenant " + id + ": admin_api_key_sha256 must be 64 lowercase hex digits and differ from the API key.");
    }
    totp = totp == null ? TotpSettings.DEFAULTS : totp;
    push = push == null ? PushSettings.DEFAULTS : push;
    if (sender != null && !sender.matches("\\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11}")) {
      throw new IllegalArgumentException("Tenant " + id + ": sender must be an E.164 number or up to 11 letters and digits.");
    }
    if (dailySpendCap != null && (dailySpendCap.signum() < 0 || dailySpendCap.scale() > 6
        || dailySpendCap.compareTo(BigDecimal.valueOf(1_000_000_000)) > 0)) {
      throw new IllegalArgumentException(
          "Tenant " + id + ": daily_spend_cap must be a number from 0 to 1e9 with at most 6 decimals.");
    }
  }

  /** A tenant with the defaults for everything added after the SMS foundation (no admin key, SHA-1/6/30 TOTP, 10 devices, no spend cap). */
  public Tenant(String id, String displayName, String apiKeySha256, int codeLength, Duration codeTtl, int maxChecks,
      String smsTemplate, String sender, String defaultRegion, SendLimits limits, Lockout lockout) {
    this(id, displayName, apiKeySha256, codeLength, codeTtl, maxChecks, smsTemplate, sender, defaultRegion, limits,
        lockout, null, TotpSettings.DEFAULTS, PushSettings.DEFAULTS, null);
  }

  /**
   * The tenant's authenticator-app settings: new factors are enrolled with these (existing ones keep
   * the settings they were enrolled with, since the app already has them).
   */
  public record TotpSettings(Totp.Algorithm algorithm, int digits, int periodSeconds) {
    public static final TotpSettings DEFAULTS = new TotpSettings(Totp.Algorithm.SHA1, 6, 30);

    public TotpSettings {
      new Totp(algorithm, digits, periodSeconds); // the same rules as the codes themselves
    }

    public Totp totp() {
      return new Totp(algorithm, digits, periodSeconds);
    }
  }

  /**
   * @param maxDevices push devices one account may register
   * @param maxUnanswered push verifications of an account since its last success before 429 (fatigue guard)
   */
  public record PushSettings(int maxDevices, int maxUnanswered) {
    public static final PushSettings DEFAULTS = new PushSettings(10, 5);

    public PushSettings {
      if (maxDevices < 1 || maxDevices > 100 || maxUnanswered < 1 || maxUnanswered > 100) {
        throw new IllegalArgumentException("push.max_devices and push.max_unanswered must be 1 to 100.");
      }
    }
  }

  /**
   * Send limits; each window is a sliding window.
   *
   * @param perDestination sends to one number per {@code destinationWindow}
   * @param minInterval least time between two sends to one number
   * @param perAccount sends for one account per hour
   * @param perIp sends from one client IP per hour
   * @param perTenant sends for the whole tenant per minute
   */
  public record SendLimits(
      int perDestination, Duration destinationWindow, Duration minInterval, int perAccount, int perIp, int perTenant) {
    public static final SendLimits DEFAULTS =
        new SendLimits(5, Duration.ofMinutes(10), Duration.ofSeconds(30), 20, 50, 6000);

    public SendLimits {
      if (perDestination < 1 || perAccount < 1 || perIp < 1 || perTenant < 1) {
        throw new IllegalArgumentException("Send limits must be at least 1.");
      }
      if (!positive(destinationWindow) || !positive(minInterval)) {
        throw new IllegalArgumentException("destination_window and min_interval must be longer than zero.");
      }
    }
  }

  /**
   * After {@code threshold} consecutive failed checks for one account, checks are refused for
   * {@code baseDelay}, doubling with every further failure up to {@code maxDelay}; a success resets it.
   */
  public record Lockout(int threshold, Duration baseDelay, Duration maxDelay) {
    public static final Lockout DEFAULTS = new Lockout(10, Duration.ofMinutes(1), Duration.ofHours(1));

    public Lockout {
      if (threshold < 1 || threshold > 100) {
        throw new IllegalArgumentException("Lockout threshold must be 1 to 100.");
      }
      if (!positive(baseDelay) || !positive(maxDelay) || maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalArgumentException("Lockout delays must be positive, max_delay at least base_delay.");
      }
    }
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  /** The SMS text with name and lifetime filled in; {code} stays for the dispatcher to fill. */
  public String renderedTemplate() {
    return smsTemplate
        .replace("{name}", displayName)
        .replace("{minutes}", Long.toString(Math.max(1, codeTtl.toMinutes())));
  }

  @Override
  public String toString() {
    return "Tenant[id=" + id + ", displayName=" + displayName + "]";
  }
}
