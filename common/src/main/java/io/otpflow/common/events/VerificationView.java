package io.otpflow.common.events;

import java.time.Instant;

/**
 * What a client may see of a verification: never the code, the destination only masked.
 *
 * @param status pending, approved, expired, canceled (voided by a newer send) or locked
 * @param delivery queued, sent, delivered, undelivered or failed
 */
public record VerificationView(
    String id,
    String status,
    String channel,
    String to,
    String account,
    Instant createdAt,
    Instant expiresAt,
    String delivery,
    int attemptsLeft) {}
