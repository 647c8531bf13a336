package io.otpflow.common.service;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What the launcher and tests ask of a running Kafka-and-Redis service, answered by its {@link ServiceRuntime}. */
public interface RuntimeBacked extends AutoCloseable {
  ServiceRuntime runtime();

  default int httpPort() {
    return runtime().httpPort();
  }

  default PrometheusMeterRegistry registry() {
    return runtime().registry();
  }

  /** True once every consumer owns its partitions: what is published from now on is consumed. */
  default boolean isConsuming() {
    return runtime().isConsuming();
  }

  @Override
  default void close() {
    runtime().close();
  }
}
