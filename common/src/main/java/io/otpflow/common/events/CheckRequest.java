package io.otpflow.common.events;

import io.otpflow.common.Json;
import java.time.Instant;

/**
 * Gateway → verifier on {@code otp.verifier-requests.v1}, keyed by verification id. It carries the
 * submitted code only as its keyed MAC, so the code itself never travels on Kafka.
 *
 * @param codeMac MAC(tenant, verification id, code)
 * @param recoveryMac when the code has the shape of a recovery code: MAC(tenant, "recovery-code",
 *     normalised code), which does not depend on the verification, so the verifier can compare it
 *     with the account's stored recovery-code hashes; null otherwise
 */
public record CheckRequest(
    String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac, String recoveryMac) {
  public CheckRequest {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(verificationId, "verification_id");
    Json.require(codeMac, "code_mac");
  }

  /** A check of a numeric code (SMS, push code mode, TOTP). */
  public CheckRequest(String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac) {
    this(eventId, occurredAt, tenant, verificationId, codeMac, null);
  }

  @Override
  public String toString() {
    return "CheckRequest[verificationId=" + verificationId + ", tenant=" + tenant + "]";
  }
}
