package io.otpflow.push.provider;

/**
 * Port to a push provider. Implementations never throw for a provider's answer or a network failure:
 * every result is a {@link PushOutcome}, so the dispatcher decides retry, dead letter or pruning from
 * a value. A call blocks, bounded by the implementation's own timeouts.
 */
public interface PushSender extends AutoCloseable {

  /** Short, low-cardinality provider name for events and metric tags ("apns", "fcm", "outbox"). */
  String provider();

  PushOutcome send(PushMessage message);

  @Override
  default void close() {}
}
