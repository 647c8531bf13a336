package io.otpflow.common.events;

import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import java.time.Instant;

/**
 * Gateway → verifier on {@code otp.verifier-requests.v1}, keyed by verification id: a code to check,
 * or (with {@code answer}) a push device's answer to an approve-mode verification. A code travels only
 * as its keyed MAC, so the code itself never travels on Kafka.
 *
 * @param tenant the tenant whose API key came with the request; required for codes. An answer may
 *     come without an API key (the device's signature is its credential): then null, and the
 *     verifier takes the tenant from the verification itself
 * @param codeMac MAC(tenant, verification id, code); required unless this is an answer
 * @param recoveryMac when the code has the shape of a recovery code: MAC(tenant, "recovery-code",
 *     normalised code), which does not depend on the verification, so the verifier can compare it
 *     with the account's stored recovery-code hashes; null otherwise
 * @param answer a device's signed approve or deny; null for a code check
 */
public record CheckRequest(
    String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac, String recoveryMac,
    Answer answer) {
  public CheckRequest {
    Json.require(eventId, "event_id");
    Json.require(verificationId, "verification_id");
    if (answer == null) {
      Json.require(tenant, "tenant");
      Json.require(codeMac, "code_mac");
    }
  }

  /** A check of a code that may be a recovery code. */
  public CheckRequest(
      String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac, String recoveryMac) {
    this(eventId, occurredAt, tenant, verificationId, codeMac, recoveryMac, null);
  }

  /** A check of a numeric code (SMS, push code mode, TOTP). */
  public CheckRequest(String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac) {
    this(eventId, occurredAt, tenant, verificationId, codeMac, null, null);
  }

  /** A device's answer: no code, the signature is the proof. */
  public static CheckRequest answer(String eventId, Instant occurredAt, String tenant, String verificationId, Answer answer) {
    return new CheckRequest(eventId, occurredAt, tenant, verificationId, null, null, Json.require(answer, "answer"));
  }

  /**
   * A push device's answer, as the device sent it to {@code POST /v1/verifications/{id}/answers}.
   *
   * @param decision approve or deny
   * @param number the number the user typed from the login screen (number matching), or null
   * @param signature the device's ECDSA P-256 signature (DER, or raw r||s) over the UTF-8 bytes of
   *     {@link #signedText}, sealed with the factor keys (associated data {@link #signatureAad}) so
   *     it does not sit on the topic in clear
   */
  public record Answer(String deviceId, String decision, Integer number, SealedValue signature) {
    public Answer {
      Json.require(deviceId, "device_id");
      Json.require(decision, "decision");
      Json.require(signature, "signature");
    }

    /** What the device signs: {@code {id}:{decision}}, or {@code {id}:{decision}:{number}} when it sends a number. */
    public static String signedText(String verificationId, String decision, Integer number) {
      return verificationId + ":" + decision + (number == null ? "" : ":" + number);
    }

    /** Binds a sealed signature to its verification and device. */
    public static String signatureAad(String verificationId, String deviceId) {
      return "push-answer|" + verificationId + "|" + deviceId;
    }
  }

  @Override
  public String toString() {
    return "CheckRequest[verificationId=" + verificationId + ", tenant=" + tenant
        + (answer != null ? ", answer from " + answer.deviceId() : "") + "]";
  }
}
