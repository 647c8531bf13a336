package io.otpflow.issuer;

import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.events.VerificationView;
import java.time.Instant;
import java.util.Map;

/**
 * A verification as the issuer keeps it in Redis (no code, no MAC, destination only masked).
 * Verifications that send nothing (an authenticator app, a recovery code) have no destination and
 * no delivery state: both are null.
 */
record StoredVerification(
    String id,
    String tenant,
    String channel,
    String toMasked,
    String account,
    String status,
    Instant createdAt,
    Instant expiresAt,
    int attempts,
    int maxAttempts,
    String delivery,
    boolean dispatched) {

  static StoredVerification fromHash(String id, Map<String, String> h) {
    return new StoredVerification(
        id,
        h.get(Field.TENANT),
        h.get(Field.CHANNEL),
        h.get(Field.TO_MASKED),
        h.get(Field.ACCOUNT),
        h.get(Field.STATUS),
        Instant.ofEpochMilli(Long.parseLong(h.get(Field.CREATED))),
        Instant.ofEpochMilli(Long.parseLong(h.get(Field.EXPIRES))),
        Integer.parseInt(h.getOrDefault(Field.ATTEMPTS, "0")),
        Integer.parseInt(h.get(Field.MAX_ATTEMPTS)),
        h.get(Field.DELIVERY),
        "1".equals(h.get(Field.DISPATCHED)));
  }

  /** A pending verification past its expiry reads as expired even before a check marks it so. */
  VerificationView view(Instant now) {
    String shown = "pending".equals(status) && !now.isBefore(expiresAt) ? "expired" : status;
    int left = "pending".equals(shown) ? Math.max(0, maxAttempts - attempts) : 0;
    return new VerificationView(id, shown, channel, toMasked, account, createdAt, expiresAt, delivery, left);
  }
}
