package io.otpflow.common.events;

import java.time.Instant;

/**
 * Every check's outcome, on {@code otp.verdicts.v1}, keyed by verification id; published by the verifier.
 *
 * @param outcome approved, denied, expired, locked, not_pending or not_found
 * @param channel the verification's channel (sms, push, totp, ...), or null when unknown (not_found)
 * @param deviceId the push device whose answer decided, or null
 */
public record Verdict(
    String eventId,
    Instant occurredAt,
    String tenant,
    String verificationId,
    String account,
    String outcome,
    int attemptsLeft,
    String channel,
    String deviceId) {}
