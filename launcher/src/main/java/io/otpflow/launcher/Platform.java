package io.otpflow.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Env;
import io.otpflow.common.Metrics;
import io.otpflow.common.service.ServiceVertx;
import io.otpflow.gateway.GatewayConfig;
import io.otpflow.gateway.GatewayService;
import io.otpflow.issuer.IssuerConfig;
import io.otpflow.issuer.IssuerService;
import io.otpflow.push.PushDispatcherConfig;
import io.otpflow.push.PushDispatcherService;
import io.otpflow.sms.DispatcherConfig;
import io.otpflow.sms.SmsDispatcherService;
import io.otpflow.verifier.VerifierConfig;
import io.otpflow.verifier.VerifierService;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Every service in one JVM, each configured from its own environment map exactly as its {@code Main}
 * would be (so this path exercises the same configuration code as a real deployment). Used by the
 * standalone launcher and by the end-to-end tests.
 *
 * <p>Per-service ports come from OTPFLOW_GATEWAY_PORT, OTPFLOW_ISSUER_PORT, OTPFLOW_VERIFIER_PORT,
 * OTPFLOW_DISPATCHER_PORT (the SMS dispatcher) and OTPFLOW_PUSH_DISPATCHER_PORT (0 = any free port),
 * handed to each service as its OTPFLOW_HTTP_PORT.
 *
 * <p>Each service gets its own metrics registry and its own Vert.x instance reporting into it, as in
 * its own process: Vert.x metrics belong to a Vert.x instance, and each service serves its own /metrics.
 */
public final class Platform implements AutoCloseable {
  private final Map<String, String> env;
  private final Clock clock;
  private final List<Vertx> vertxInstances = new ArrayList<>();
  private final Vertx gatewayVertx;
  private final IssuerService issuer;
  private final VerifierService verifier;
  private SmsDispatcherService dispatcher;
  private Vertx dispatcherVertx;
  private final PushDispatcherService push;
  private final GatewayService gateway;

  private Platform(Map<String, String> env, Clock clock) throws Exception {
    this.env = Map.copyOf(env);
    this.clock = clock;
    try {
      PrometheusMeterRegistry issuerMetrics = Metrics.newRegistry(IssuerConfig.SERVICE);
      issuer = IssuerService.start(IssuerConfig.fromEnv(envFor("OTPFLOW_ISSUER_PORT")),
          vertxFor(IssuerConfig.SERVICE, issuerMetrics), clock, issuerMetrics);
      PrometheusMeterRegistry verifierMetrics = Metrics.newRegistry(VerifierConfig.SERVICE);
      verifier = VerifierService.start(VerifierConfig.fromEnv(envFor("OTPFLOW_VERIFIER_PORT")),
          vertxFor(VerifierConfig.SERVICE, verifierMetrics), clock, verifierMetrics);
      dispatcher = startDispatcher();
      PrometheusMeterRegistry pushMetrics = Metrics.newRegistry(PushDispatcherConfig.SERVICE);
      push = PushDispatcherService.start(PushDispatcherConfig.fromEnv(envFor("OTPFLOW_PUSH_DISPATCHER_PORT")),
          vertxFor(PushDispatcherConfig.SERVICE, pushMetrics), clock, pushMetrics);
      PrometheusMeterRegistry gatewayMetrics = Metrics.newRegistry(GatewayConfig.SERVICE);
      gatewayVertx = vertxFor(GatewayConfig.SERVICE, gatewayMetrics);
      Map<String, String> gatewayEnv = new HashMap<>(env);
      gatewayEnv.put("OTPFLOW_HTTP_PORT", env.getOrDefault("OTPFLOW_GATEWAY_PORT", "0"));
      gatewayEnv.putIfAbsent("OTPFLOW_MANAGEMENT_PORT", "0"); // /metrics on a port of its own, any free one here
      // One JVM: the operator page reads the services started above, on the ports they got.
      gatewayEnv.putIfAbsent("OTPFLOW_METRICS_SOURCES", String.join(",", metricsUrl(issuer.httpPort()),
          metricsUrl(verifier.httpPort()), metricsUrl(dispatcher.httpPort()), metricsUrl(push.httpPort())));
      gateway = GatewayService.start(GatewayConfig.fromEnv(new Env(gatewayEnv)), gatewayVertx, gatewayMetrics);
      awaitTrue(() -> issuer.isConsuming() && verifier.isConsuming() && dispatcher.isConsuming() && push.isConsuming(),
          Duration.ofSeconds(60));
    } catch (Exception e) {
      closeStarted(); // their consumer threads would otherwise keep the JVM alive after a failed start
      vertxInstances.forEach(Vertx::close);
      throw e;
    }
  }

  private void closeStarted() {
    for (AutoCloseable service : new AutoCloseable[] {gateway, push, dispatcher, verifier, issuer}) {
      if (service == null) {
        continue;
      }
      try {
        service.close();
      } catch (Exception ignored) {
        // Best effort: the start failure is what the caller needs to see.
      }
    }
  }

  private synchronized Vertx vertxFor(String service, PrometheusMeterRegistry registry) {
    Vertx vertx = ServiceVertx.create(service, registry);
    vertxInstances.add(vertx);
    return vertx;
  }

  private static String metricsUrl(int port) {
    return "http://127.0.0.1:" + port + "/metrics";
  }

  public static Platform start(Map<String, String> env, Clock clock) throws Exception {
    return new Platform(env, clock);
  }

  /** The environment a service gets: the shared one, with its own port as OTPFLOW_HTTP_PORT. */
  public Env envFor(String portVariable) {
    Map<String, String> own = new HashMap<>(env);
    own.put("OTPFLOW_HTTP_PORT", env.getOrDefault(portVariable, "0"));
    return new Env(own);
  }

  public Map<String, String> env() {
    return env;
  }

  /** The gateway's Vert.x instance (a second gateway in a test can share it). */
  public Vertx vertx() {
    return gatewayVertx;
  }

  public GatewayService gateway() {
    return gateway;
  }

  public IssuerService issuer() {
    return issuer;
  }

  public VerifierService verifier() {
    return verifier;
  }

  public synchronized SmsDispatcherService dispatcher() {
    return dispatcher;
  }

  public PushDispatcherService push() {
    return push;
  }

  /** Stops the dispatcher the way a deployment would (finishing what is in flight), then starts a new one. */
  public synchronized SmsDispatcherService restartDispatcher(Runnable whileStopped) throws Exception {
    dispatcher.close();
    vertxInstances.remove(dispatcherVertx);
    dispatcherVertx.close().toCompletionStage().toCompletableFuture().join();
    whileStopped.run();
    dispatcher = startDispatcher();
    SmsDispatcherService started = dispatcher;
    awaitTrue(started::isConsuming, Duration.ofSeconds(60));
    return started;
  }

  private SmsDispatcherService startDispatcher() throws Exception {
    PrometheusMeterRegistry metrics = Metrics.newRegistry(DispatcherConfig.SERVICE);
    dispatcherVertx = vertxFor(DispatcherConfig.SERVICE, metrics);
    return SmsDispatcherService.start(DispatcherConfig.fromEnv(envFor("OTPFLOW_DISPATCHER_PORT")),
        dispatcherVertx, clock, metrics);
  }

  private static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The services did not join their consumer groups within " + timeout + ".");
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    gateway.close();
    synchronized (this) {
      dispatcher.close();
    }
    push.close();
    verifier.close();
    issuer.close();
    List<Vertx> all;
    synchronized (this) {
      all = List.copyOf(vertxInstances);
    }
    all.forEach(v -> v.close().toCompletionStage().toCompletableFuture().join());
  }
}
