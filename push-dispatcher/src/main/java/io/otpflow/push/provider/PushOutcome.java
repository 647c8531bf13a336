package io.otpflow.push.provider;

import java.time.Duration;

/**
 * What a provider said about one push: accepted, worth another try, never going to work, or the
 * device's token is dead. Values, not exceptions, so the dispatcher decides from an exhaustive switch.
 */
public sealed interface PushOutcome {

  /** The provider took the notification; {@code providerMessageId} is its id (apns-id, FCM message name). */
  record Accepted(String providerMessageId) implements PushOutcome {}

  /**
   * A transient failure (429, 5xx, a timeout, no connection). {@code retryAfter} is the provider's
   * Retry-After when it sent one, else null.
   */
  record Retryable(String reason, Duration retryAfter) implements PushOutcome {}

  /** Refused for good, for a reason other than the token (payload, credentials, configuration). */
  record Permanent(String errorCode, String reason) implements PushOutcome {}

  /**
   * The provider says this device token will never work again (APNs Unregistered, FCM
   * UNREGISTERED): the device is to be pruned from the account. {@code errorCode} is the provider's word.
   */
  record DeadToken(String errorCode, String reason) implements PushOutcome {}
}
