package io.otpflow.verifier;

import io.otpflow.common.Env;
import io.vertx.core.Vertx;
import java.time.Clock;

/** Runs the verifier on its own, configured from the environment. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    VerifierService service = VerifierService.start(VerifierConfig.fromEnv(Env.system()), vertx, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      service.close();
      vertx.close().await();
    }));
  }
}
