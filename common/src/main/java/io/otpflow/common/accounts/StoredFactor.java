package io.otpflow.common.accounts;

import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import java.time.Instant;

/**
 * One factor of an account as the registry stores it (JSON in the account hash, field
 * {@code f:<id>}): an authenticator app, a phone number or a push device. Secrets are stored
 * sealed only: TOTP secrets with the factor keys, numbers and tokens with the address keys.
 *
 * @param type {@link #TOTP}, {@link #PHONE} or {@link #DEVICE}
 * @param status {@link #PENDING} (enrolled, not confirmed; ignored after {@code expiresAt}) or {@link #ACTIVE}
 * @param secret TOTP: sealed secret, associated data {@link #totpSecretAad}
 * @param number phone: sealed E.164 number, associated data {@link #phoneNumberAad}
 * @param verificationId phone: the SMS verification whose approval confirms the factor
 * @param confirmAttempts TOTP while pending: wrong codes so far
 * @param token device: sealed push token, associated data {@link #pushTokenAad}
 * @param fingerprint phone or device: MAC of the number or token, to find it again without opening it
 * @param publicKey device: base64 SubjectPublicKeyInfo (ECDSA P-256) for signed answers
 */
public record StoredFactor(
    String id,
    String type,
    String status,
    Instant createdAt,
    Instant confirmedAt,
    Instant expiresAt,
    String label,
    SealedValue secret,
    String algorithm,
    Integer digits,
    Integer period,
    int confirmAttempts,
    SealedValue number,
    String numberMasked,
    String verificationId,
    String platform,
    SealedValue token,
    String fingerprint,
    String name,
    String publicKey) {
  public static final String TOTP = "totp";
  public static final String PHONE = "phone";
  public static final String DEVICE = "device";
  public static final String PENDING = "pending";
  public static final String ACTIVE = "active";

  public StoredFactor {
    Json.require(id, "id");
    Json.require(type, "type");
    Json.require(status, "status");
    Json.require(createdAt, "created_at");
  }

  /** Active, or pending and not yet expired. */
  public boolean isLive(Instant now) {
    return ACTIVE.equals(status) || (PENDING.equals(status) && expiresAt != null && now.isBefore(expiresAt));
  }

  public boolean isActive() {
    return ACTIVE.equals(status);
  }

  public StoredFactor activated(Instant now) {
    return new StoredFactor(id, type, ACTIVE, createdAt, now, null, label, secret, algorithm, digits, period, 0, number,
        numberMasked, verificationId, platform, token, fingerprint, name, publicKey);
  }

  public StoredFactor withConfirmAttempts(int attempts) {
    return new StoredFactor(id, type, status, createdAt, confirmedAt, expiresAt, label, secret, algorithm, digits, period,
        attempts, number, numberMasked, verificationId, platform, token, fingerprint, name, publicKey);
  }

  /** Binds a sealed TOTP secret to its tenant, account and factor: copied elsewhere it does not open. */
  public static String totpSecretAad(String tenant, String account, String factorId) {
    return "totp-secret|" + tenant + "|" + account + "|" + factorId;
  }

  public static String phoneNumberAad(String tenant, String account) {
    return "phone-number|" + tenant + "|" + account;
  }

  /** As {@code PushDispatch} documents it: the push dispatcher opens tokens with this associated data. */
  public static String pushTokenAad(String tenant, String account) {
    return "push-token|" + tenant + "|" + account;
  }

  @Override
  public String toString() {
    return "StoredFactor[id=" + id + ", type=" + type + ", status=" + status + "]";
  }
}
