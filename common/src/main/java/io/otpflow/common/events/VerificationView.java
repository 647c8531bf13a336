package io.otpflow.common.events;

import java.time.Instant;
import java.util.List;

/**
 * What a client may see of a verification: never the code, the destination only masked, no push token.
 *
 * @param status pending, approved, denied (a push device answered deny), expired, canceled (voided
 *     by a newer send) or locked
 * @param delivery queued, sent, delivered, undelivered or failed; for push the state of the
 *     verification as a whole: sent once any device's provider accepted it, failed only when every
 *     device failed (each device's own state is in {@code devices})
 * @param mode push only: code or approve
 * @param number push approve with number matching: the two-digit number the login screen shows,
 *     which the user types on the device (the device is never sent it)
 * @param devices push only: each device the verification went to, with its own delivery state
 * @param answeredBy push approve: the device (and person) whose answer decided, once one did
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
    int attemptsLeft,
    String mode,
    Integer number,
    List<DeviceDelivery> devices,
    Answer answeredBy) {

  /** A verification of a channel without push details (SMS, TOTP, recovery codes). */
  public VerificationView(String id, String status, String channel, String to, String account, Instant createdAt,
      Instant expiresAt, String delivery, int attemptsLeft) {
    this(id, status, channel, to, account, createdAt, expiresAt, delivery, attemptsLeft, null, null, null, null);
  }

  /**
   * One device's delivery.
   *
   * @param delivery queued, sent or failed
   * @param reason why it failed (device-unregistered: the provider says the token is dead, and the
   *     device is removed from the account), or null
   */
  public record DeviceDelivery(String deviceId, String delivery, String reason) {}

  /**
   * @param decision approve or deny
   * @param name the device's name, label the person's label, as registered
   */
  public record Answer(String deviceId, String name, String label, String decision, Instant answeredAt) {}
}
