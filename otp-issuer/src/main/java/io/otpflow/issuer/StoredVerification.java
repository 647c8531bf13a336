package io.otpflow.issuer;

import io.otpflow.common.RedisKeys.Field;
import io.otpflow.common.events.VerificationView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verification as the issuer keeps it in Redis (no code, no MAC, destination only masked).
 * Verifications that send nothing (an authenticator app, a recovery code) have no destination and
 * no delivery state: both are null. Push verifications have no destination either, but a mode, the
 * delivery state of each device ({@code devices}: device id → queued, sent, failed:&lt;reason&gt;),
 * the number-matching number, and once a device answered, who it was.
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
    boolean dispatched,
    String mode,
    Integer number,
    Map<String, String> devices,
    VerificationView.Answer answer) {

  StoredVerification {
    devices = devices == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(devices));
  }

  /** A verification of a channel without push details. */
  StoredVerification(String id, String tenant, String channel, String toMasked, String account, String status,
      Instant createdAt, Instant expiresAt, int attempts, int maxAttempts, String delivery, boolean dispatched) {
    this(id, tenant, channel, toMasked, account, status, createdAt, expiresAt, attempts, maxAttempts, delivery, dispatched,
        null, null, null, null);
  }

  static StoredVerification fromHash(String id, Map<String, String> h) {
    Map<String, String> devices = new java.util.TreeMap<>(); // by id: a stable order in the view
    h.forEach((field, value) -> {
      if (field.startsWith(Field.DEVICE)) {
        devices.put(field.substring(Field.DEVICE.length()), value);
      }
    });
    VerificationView.Answer answer = h.containsKey(Field.ANSWER_DEVICE)
        ? new VerificationView.Answer(h.get(Field.ANSWER_DEVICE), emptyToNull(h.get(Field.ANSWER_NAME)),
            emptyToNull(h.get(Field.ANSWER_LABEL)), h.get(Field.ANSWER_DECISION),
            h.containsKey(Field.ANSWER_AT) ? Instant.ofEpochMilli(Long.parseLong(h.get(Field.ANSWER_AT))) : null)
        : null;
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
        "1".equals(h.get(Field.DISPATCHED)),
        h.get(Field.MODE),
        h.containsKey(Field.NUMBER) ? Integer.valueOf(h.get(Field.NUMBER)) : null,
        devices,
        answer);
  }

  /** A pending verification past its expiry reads as expired even before a check marks it so. */
  VerificationView view(Instant now) {
    String shown = "pending".equals(status) && !now.isBefore(expiresAt) ? "expired" : status;
    int left = "pending".equals(shown) ? Math.max(0, maxAttempts - attempts) : 0;
    List<VerificationView.DeviceDelivery> perDevice = null;
    if (!devices.isEmpty()) {
      perDevice = new ArrayList<>();
      for (Map.Entry<String, String> d : devices.entrySet()) {
        String state = d.getValue();
        int colon = state.indexOf(':');
        perDevice.add(colon < 0
            ? new VerificationView.DeviceDelivery(d.getKey(), state, null)
            : new VerificationView.DeviceDelivery(d.getKey(), state.substring(0, colon), state.substring(colon + 1)));
      }
    }
    return new VerificationView(id, shown, channel, toMasked, account, createdAt, expiresAt, delivery, left, mode, number,
        perDevice, answer);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
