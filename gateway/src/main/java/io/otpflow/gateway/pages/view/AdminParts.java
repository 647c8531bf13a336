package io.otpflow.gateway.pages.view;

/** Parts the admin pages share: a person's 2FA badge, their buttons, a line of an activity log. */
public final class AdminParts {
  private AdminParts() {}

  /** A person's 2FA in a badge: on (with which methods), required but missing, off, exempt, or unknown. */
  public record TwoFactor(State state, String methods) {
    public enum State { UNKNOWN, ON, EXEMPT, REQUIRED, OFF }
  }

  /**
   * Disable or enable a person, and require 2FA of them or stop (not for external people).
   *
   * @param back the page the forms return to: "people" or "person"
   */
  public record Buttons(String username, String back, boolean disabled, boolean external, boolean required,
      String disableAction, String requireAction) {}

  /** A line of a person's activity or the company's audit log. */
  public record LogLine(String when, String detail, boolean byAdmin, String by, String ip) {}
}
