package io.otpflow.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Env;
import io.otpflow.common.Metrics;
import io.otpflow.common.service.ServiceVertx;
import io.vertx.core.Vertx;

/** Runs the gateway on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // One registry for the service and its Vert.x instance, so /metrics shows both.
    PrometheusMeterRegistry registry = Metrics.newRegistry(GatewayConfig.SERVICE);
    Vertx vertx = ServiceVertx.create(GatewayConfig.SERVICE, registry);
    GatewayService service = GatewayService.start(GatewayConfig.fromEnv(Env.system()), vertx, registry);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
