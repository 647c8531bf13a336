package io.otpflow.common.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The HTTP surface every service has: {@code /health/live}, {@code /health/ready} (each named check
 * must pass, run off the event loop) and {@code /metrics} in Prometheus text format.
 */
public final class ServiceHttp {
  private ServiceHttp() {}

  /** Adds the health and metrics routes to {@code router}. */
  public static void addOperationalRoutes(
      Vertx vertx, Router router, PrometheusMeterRegistry registry, Map<String, Callable<Boolean>> readiness) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router
        .get("/health/ready")
        .handler(
            ctx ->
                vertx
                    .executeBlocking(() -> runChecks(readiness), false)
                    .onComplete(
                        result -> {
                          Map<String, String> checks = result.succeeded() ? result.result() : Map.of("checks", "error");
                          boolean up = checks.values().stream().allMatch("up"::equals);
                          ctx.response()
                              .setStatusCode(up ? 200 : 503)
                              .putHeader("content-type", "application/json")
                              .end(new JsonObject().put("status", up ? "up" : "down").put("checks", new JsonObject(new LinkedHashMap<>(checks))).encode());
                        }));
    router
        .get("/metrics")
        .handler(
            ctx ->
                vertx
                    .executeBlocking(registry::scrape, false)
                    .onSuccess(
                        text ->
                            ctx.response()
                                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                                .end(text))
                    .onFailure(ctx::fail));
  }

  /** A service's own small server: only the operational routes. */
  public static Future<HttpServer> listen(
      Vertx vertx, String host, int port, PrometheusMeterRegistry registry, Map<String, Callable<Boolean>> readiness) {
    Router router = Router.router(vertx);
    addOperationalRoutes(vertx, router, registry, readiness);
    return vertx.createHttpServer().requestHandler(router).listen(port, host);
  }

  private static Map<String, String> runChecks(Map<String, Callable<Boolean>> readiness) {
    Map<String, String> results = new LinkedHashMap<>();
    readiness.forEach(
        (name, check) -> {
          boolean ok;
          try {
            ok = Boolean.TRUE.equals(check.call());
          } catch (Exception e) {
            ok = false;
          }
          results.put(name, ok ? "up" : "down");
        });
    return results;
  }
}
