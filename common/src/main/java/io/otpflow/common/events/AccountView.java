package io.otpflow.common.events;

import java.time.Instant;
import java.util.List;

/**
 * What a client may see of an account's second factors: never a secret, a token or a code, phone
 * numbers masked. An account that has nothing looks the same whether it was ever seen or not.
 *
 * @param factors authenticator apps (totp) and phone numbers (phone), confirmed or not
 * @param devices push devices
 * @param recoveryCodes how many unused recovery codes are left
 */
public record AccountView(String account, List<Factor> factors, List<Factor> devices, RecoveryCodes recoveryCodes) {
  public AccountView {
    factors = factors == null ? List.of() : List.copyOf(factors);
    devices = devices == null ? List.of() : List.copyOf(devices);
  }

  /**
   * One factor or device. Fields that do not apply to its type are absent.
   *
   * @param type totp, phone or device
   * @param status pending (enrolled, not confirmed yet; gone at {@code expiresAt}) or active
   * @param phone phone factors: the number, masked
   * @param verificationId phone factors while pending: the SMS verification whose code confirms it
   */
  public record Factor(
      String id, String type, String status, String label, Instant createdAt, Instant confirmedAt, Instant lastUsedAt,
      Instant expiresAt, String algorithm, Integer digits, Integer period, String phone, String verificationId,
      String platform, String name) {}

  /** @param remaining unused codes of the current set; 0 when none was ever generated */
  public record RecoveryCodes(int remaining, Instant createdAt, Instant lastUsedAt) {}
}
