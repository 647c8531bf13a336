package io.otpflow.bench;

/**
 * Something the load generator can send requests to. {@link #fire} must not block: it starts the
 * request and returns; whatever answers later calls {@link Request#ok()} or {@link Request#fail}.
 */
interface Target {
  /** Short name used in reports ("raw-kafka", "send"). */
  String name();

  void fire(Request request);

  /** Called before a run of about {@code requests} requests, outside any measurement (fixtures). */
  default void prepare(long requests) throws Exception {}
}
