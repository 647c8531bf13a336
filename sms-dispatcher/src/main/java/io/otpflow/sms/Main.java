package io.otpflow.sms;

import io.otpflow.common.Env;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Runs the SMS dispatcher on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    SmsDispatcherService service =
        SmsDispatcherService.start(DispatcherConfig.fromEnv(Env.system()), vertx, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
