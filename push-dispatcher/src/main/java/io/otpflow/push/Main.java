package io.otpflow.push;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Env;
import io.otpflow.common.Metrics;
import io.otpflow.common.service.ServiceVertx;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Runs the push dispatcher on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // One registry for the service and its Vert.x instance, so /metrics shows both.
    PrometheusMeterRegistry registry = Metrics.newRegistry(PushDispatcherConfig.SERVICE);
    Vertx vertx = ServiceVertx.create(PushDispatcherConfig.SERVICE, registry);
    PushDispatcherService service =
        PushDispatcherService.start(PushDispatcherConfig.fromEnv(Env.system()), vertx, Clock.systemUTC(), registry);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
