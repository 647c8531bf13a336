package io.otpflow.common.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Vert.x instance whose own metrics (HTTP server requests by route, connections, pools) go into one
 * service's registry. One per service, also when several services share a JVM (the launcher): Vert.x
 * metrics belong to the Vert.x instance, and each service serves its own /metrics.
 */
public final class ServiceVertx {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private ServiceVertx() {}

  public static Vertx create(String service, MeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        // Vert.x keeps registries by name in a static map: a name per instance keeps services apart.
        .setRegistryName(service + "-" + INSTANCES.incrementAndGet())
        // Route templates, not paths (a path carries a verification id); no local or remote address.
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME));
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }
}
