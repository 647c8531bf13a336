package io.otpflow.bench;

import io.otpflow.launcher.Platform;
import java.time.Clock;

/**
 * The services' JVM of a benchmark run: every service through {@link Platform}, configured from this
 * process's environment exactly as the standalone launcher configures them, in a JVM of its own so
 * its CPU and memory can be told apart from the load generator's.
 */
public final class ServicesMain {
  private ServicesMain() {}

  public static void main(String[] args) throws Exception {
    Platform platform = Platform.start(System.getenv(), Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "services-shutdown"));
    System.out.println("otpflow services are up; gateway on port " + platform.gateway().httpPort());
    Thread.currentThread().join();
  }
}
