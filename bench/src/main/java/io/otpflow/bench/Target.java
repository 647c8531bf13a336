package io.otpflow.bench;

/**
 * Something the load generator can send requests to. {@link #fire} must not block: it starts the
 * request and returns; whatever answers later calls {@link Request#ok()} or {@link Request#fail}.
 */
interface Target {
  /** Short name used in reports ("raw-kafka", "send"). */
  String name();

  void fire(Request request);

  /**
   * How many times --concurrency requests the closed-loop estimate keeps in flight: a target that
   * batches (raw Kafka) needs many more in flight than the platform to come near its maximum.
   */
  default int inFlightFactor() {
    return 1;
  }

  /** Called before a run of about {@code requests} requests, outside any measurement (fixtures). */
  default void prepare(long requests) throws Exception {}
}
