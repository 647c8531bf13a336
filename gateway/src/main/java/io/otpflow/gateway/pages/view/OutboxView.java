package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * The development outbox as a page ({@code pages/outbox.jte}): what was "sent", newest first, and
 * with development devices their table, the form that adds one, and Approve/Deny for their pushes.
 *
 * @param devices the development devices, or null when OTPFLOW_DEV_DEVICES is off (no forms at all then)
 * @param tenants the companies a device can be added to
 */
public record OutboxView(Notice note, List<Device> devices, List<String> tenants, List<Message> messages) {

  public OutboxView {
    devices = devices == null ? null : List.copyOf(devices);
    tenants = List.copyOf(tenants);
    messages = List.copyOf(messages);
  }

  /** A simulated phone whose private key this page holds. */
  public record Device(String tenant, String account, String label, String platform, String id) {}

  /**
   * A message the outbox provider took: a push (platform, device) or an SMS (to).
   *
   * @param answer the Approve/Deny form, for an approve-mode push to a development device; else null
   */
  public record Message(String sentAt, boolean push, String platform, String deviceId, String to, String title,
      String body, String verificationId, String mode, Answer answer) {}

  /** What the answer form sends back: the verification, the device, and whether a number is asked. */
  public record Answer(String verificationId, String deviceId, boolean numberMatching) {}
}
