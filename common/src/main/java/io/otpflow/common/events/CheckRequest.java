package io.otpflow.common.events;

import io.otpflow.common.Json;
import java.time.Instant;

/**
 * Gateway → verifier on {@code otp.verifier-requests.v1}, keyed by verification id. It carries the
 * submitted code only as its keyed MAC, so the code itself never travels on Kafka.
 */
public record CheckRequest(
    String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac) {
  public CheckRequest {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(verificationId, "verification_id");
    Json.require(codeMac, "code_mac");
  }

  @Override
  public String toString() {
    return "CheckRequest[verificationId=" + verificationId + ", tenant=" + tenant + "]";
  }
}
