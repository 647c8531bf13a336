package io.otpflow.push;

import io.otpflow.common.Env;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Runs the push dispatcher on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    PushDispatcherService service =
        PushDispatcherService.start(PushDispatcherConfig.fromEnv(Env.system()), vertx, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
