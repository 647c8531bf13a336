package io.otpflow.common.events;

import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import java.time.Instant;

/**
 * Issuer → SMS dispatcher on {@code otp.sms-dispatch.v1}, keyed by verification id. The code is
 * sealed with the dispatch key (AES-GCM, associated data = verification id); the text is a template
 * with {@code {code}} where the code goes, already filled with the tenant's name.
 *
 * @param expiresAt after this the dispatcher drops the event instead of sending a dead code
 */
public record SmsDispatch(
    String eventId,
    Instant occurredAt,
    String tenant,
    String verificationId,
    String to,
    SealedValue code,
    String template,
    String sender,
    Instant expiresAt) {
  public SmsDispatch {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(verificationId, "verification_id");
    Json.require(to, "to");
    Json.require(code, "code");
    Json.require(template, "template");
    Json.require(expiresAt, "expires_at");
  }

  @Override
  public String toString() {
    return "SmsDispatch[verificationId=" + verificationId + ", tenant=" + tenant + "]";
  }
}
