package io.otpflow.sms;

import java.time.Duration;

/** What a provider said about one send: accepted, worth retrying, or never going to work. */
public sealed interface SendOutcome {

  /** The provider took the message; {@code providerMessageId} is its id (Twilio SID). */
  record Accepted(String providerMessageId) implements SendOutcome {}

  /**
   * A transient failure (429, 5xx, timeout, connection refused). {@code retryAfter} is the
   * provider's Retry-After when it sent one, else null.
   */
  record Retryable(String reason, Duration retryAfter) implements SendOutcome {}

  /** The provider refused the message for good (invalid number, blocked, bad credentials). */
  record Permanent(String errorCode, String reason) implements SendOutcome {}
}
