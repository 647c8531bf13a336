package io.otpflow.sms;

/**
 * Port to an SMS provider. Implementations never throw for provider answers: every answer is a
 * {@link SendOutcome}, so the dispatcher decides retry or dead-letter from a value, not a catch block.
 */
public interface SmsSender {

  /** Short, low-cardinality provider name used in events and metric tags ("twilio", "outbox"). */
  String provider();

  /** Sends one message; blocking, bounded by the implementation's own timeouts. */
  SendOutcome send(SmsMessage message);
}
