package io.otpflow.common.events;

import io.otpflow.common.Json;
import java.time.Instant;

/**
 * A delivery outcome, on {@code otp.delivery-reports.v1}, keyed by verification id. Published by
 * dispatchers (sent, failed) and by the gateway's provider webhook (delivered, undelivered, failed).
 * A push dispatcher reports per device; a failed report with reason {@code device-unregistered}
 * tells the account registry that the provider declared the device's token dead.
 *
 * @param state sent, delivered, undelivered or failed
 * @param errorCode the provider's error code, or null
 * @param reason a short machine-readable reason, or null
 * @param deviceId the push device the report is about (push only; one report per device), or null
 */
public record DeliveryReport(
    String eventId,
    Instant occurredAt,
    String tenant,
    String verificationId,
    String channel,
    String provider,
    String state,
    String providerMessageId,
    String errorCode,
    String reason,
    String deviceId) {
  public DeliveryReport {
    Json.require(tenant, "tenant");
    Json.require(verificationId, "verification_id");
    Json.require(state, "state");
  }
}
