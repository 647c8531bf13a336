package io.otpflow.common.events;

import java.time.Instant;

/**
 * Gateway → verifier on {@code otp.verifier-requests.v1}, keyed by verification id. It carries the
 * submitted code only as its keyed MAC, so the code itself never travels on Kafka.
 */
public record CheckRequest(
    String eventId, Instant occurredAt, String tenant, String verificationId, String codeMac) {
  @Override
  public String toString() {
    return "CheckRequest[verificationId=" + verificationId + ", tenant=" + tenant + "]";
  }
}
