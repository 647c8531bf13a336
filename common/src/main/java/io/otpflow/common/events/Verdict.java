package io.otpflow.common.events;

import java.time.Instant;

/**
 * Every check's outcome, on {@code otp.verdicts.v1}, keyed by verification id; published by the verifier.
 *
 * @param outcome approved, denied, expired, locked, not_pending or not_found
 */
public record Verdict(
    String eventId,
    Instant occurredAt,
    String tenant,
    String verificationId,
    String account,
    String outcome,
    int attemptsLeft) {}
