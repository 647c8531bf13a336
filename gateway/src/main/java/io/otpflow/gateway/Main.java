package io.otpflow.gateway;

import io.otpflow.common.Env;
import io.vertx.core.Vertx;

/** Runs the gateway on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    GatewayService service = GatewayService.start(GatewayConfig.fromEnv(Env.system()), vertx);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
