package io.otpflow.common.events;

import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import java.time.Instant;

/**
 * Issuer → push dispatcher on {@code otp.push-dispatch.v1}, keyed by verification id: one event per
 * device of the account, so each device's push succeeds, retries or fails on its own.
 *
 * <p>The device token is the registry's sealed copy (address keys, associated data
 * {@code push-token|tenant|account}); the issuer passes it through without opening it. In code mode
 * the code is sealed with the dispatch keys (associated data = verification id), as for SMS.
 *
 * @param platform apns or fcm
 * @param mode code (the notification shows the code), approve (the device answers approve or deny)
 *     or withdraw (take back an earlier notification of this verification, after another device answered)
 * @param code the sealed code, in code mode only
 * @param title notification title (the tenant's display name)
 * @param body notification text; in code mode it holds {@code {code}} where the code goes
 * @param numberMatching approve mode: the device must ask for the number shown on the login screen
 * @param expiresAt after this the dispatcher drops the event instead of sending a dead notification
 */
public record PushDispatch(
    String eventId,
    Instant occurredAt,
    String tenant,
    String verificationId,
    String account,
    String deviceId,
    String platform,
    SealedValue token,
    String mode,
    SealedValue code,
    String title,
    String body,
    boolean numberMatching,
    Instant expiresAt) {
  public PushDispatch {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(verificationId, "verification_id");
    Json.require(account, "account");
    Json.require(deviceId, "device_id");
    Json.require(platform, "platform");
    Json.require(token, "token");
    Json.require(mode, "mode");
    Json.require(expiresAt, "expires_at");
    if ("code".equals(mode)) {
      Json.require(code, "code");
    }
  }

  @Override
  public String toString() {
    return "PushDispatch[verificationId=" + verificationId + ", tenant=" + tenant + ", device=" + deviceId
        + ", mode=" + mode + "]";
  }
}
