package io.otpflow.push.provider;

import java.time.Instant;
import java.util.Objects;

/**
 * One notification to hand to a provider, for one device. {@code token} and {@code code} are secrets
 * in clear: never log them ({@link #toString()} leaves them out).
 *
 * @param kind {@link Kind#NOTIFY} the verification's push, or {@link Kind#WITHDRAW} the one that takes it back
 * @param mode code, approve or withdraw, as the app reads it from the notification's data
 * @param title notification title
 * @param body the text shown, with the code filled in (code mode)
 * @param code the code in code mode (also in the data, so the app can offer to copy it), else null
 * @param numberMatching approve mode: the app must ask for the number on the login screen
 * @param expiresAt after this the provider should not deliver it any more
 */
public record PushMessage(
    Kind kind,
    String tenant,
    String verificationId,
    String deviceId,
    String platform,
    String token,
    String mode,
    String title,
    String body,
    String code,
    boolean numberMatching,
    Instant expiresAt) {

  /** A verification's own push, or the update that withdraws it after another device answered. */
  public enum Kind {
    NOTIFY,
    WITHDRAW;

    /** The metric tag: notify or withdraw. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** For log lines: "push" or "withdrawal". */
    public String noun() {
      return this == NOTIFY ? "push" : "withdrawal";
    }
  }

  public PushMessage {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(verificationId, "verificationId");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * The keys the app reads, the same on both platforms and all strings (FCM data allows nothing
   * else): verification_id, mode, number_matching ("true"/"false"), expires_at (ISO-8601) and, in
   * code mode, code.
   */
  public java.util.Map<String, String> data() {
    java.util.Map<String, String> data = new java.util.LinkedHashMap<>();
    data.put("verification_id", verificationId);
    data.put("mode", mode);
    data.put("number_matching", Boolean.toString(numberMatching));
    data.put("expires_at", expiresAt.toString());
    if (code != null) {
      data.put("code", code);
    }
    return data;
  }

  /**
   * What replaces or dismisses an earlier notification of the same verification on a device: the
   * APNs collapse id, the FCM collapse key and Android notification tag. The verification id fits
   * APNs' 64-byte limit and is no secret.
   */
  public String collapseId() {
    return verificationId;
  }

  @Override
  public String toString() {
    return "PushMessage[" + kind.tag() + ", verificationId=" + verificationId + ", device=" + deviceId
        + ", platform=" + platform + ", mode=" + mode + ", token=<hidden>" + (code != null ? ", code=<hidden>" : "") + "]";
  }
}
