package io.otpflow.common.events;

import io.otpflow.common.Json;
import java.time.Instant;

/**
 * Every change of an account's factors, on {@code otp.account-events.v1}, keyed by the account's
 * hash; published by the verifier, which owns the account registry. A tenant's notification ("a new
 * authenticator app was added to your account") and audit trail hang on these. Never a secret, a
 * token, a code or a phone number.
 *
 * @param type factor_added, factor_confirmed, factor_removed, recovery_codes_generated,
 *     recovery_codes_removed (2FA turned off), device_registered, device_updated or device_removed
 * @param factorType totp, phone, device or recovery_codes
 * @param actor user (through the tenant's API key), admin (the tenant's admin key) or system
 * @param reason the admin's reason, or why the system acted (token-dead, expired); null for users
 * @param proof what allowed the change: none, code (TOTP), recovery_code, verification or admin
 * @param recoveryCodesLeft recovery codes left after the change, when it concerns them
 */
public record AccountEvent(
    String eventId,
    Instant occurredAt,
    String tenant,
    String account,
    String type,
    String factorId,
    String factorType,
    String actor,
    String reason,
    String proof,
    Integer recoveryCodesLeft) {
  public AccountEvent {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(account, "account");
    Json.require(type, "type");
    Json.require(actor, "actor");
  }
}
