package io.otpflow.gateway;

import io.otpflow.gateway.api.AccountApi;
import io.otpflow.gateway.api.AnswerApi;
import io.otpflow.gateway.api.Problems;
import io.otpflow.gateway.api.TwilioWebhook;
import io.otpflow.gateway.api.VerificationApi;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.store.AnswerRateLimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.http.Readiness;
import io.otpflow.common.http.ServiceHttp;
import io.otpflow.common.kafka.RequestReplyClient;
import io.otpflow.common.kafka.TopicSetup;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the gateway: routes, the Kafka request/reply client, health and metrics. */
public final class GatewayService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);

  private final RequestReplyClient kafka;
  private final Admin admin;
  private final HttpServer http;
  private final HttpServer management;
  private final PrometheusMeterRegistry registry;
  private final redis.clients.jedis.UnifiedJedis redis;

  private GatewayService(GatewayConfig config, Vertx vertx, PrometheusMeterRegistry registry) throws Exception {
    TopicSetup.ensureTopics(config.kafka(), Duration.ofSeconds(60));
    this.registry = registry;
    kafka = RequestReplyClient.start(config.kafka(), config.instanceId(), Duration.ofSeconds(30), registry);
    // The hosted pages' own state (people, sessions, policy); the platform's state stays behind Kafka.
    redis = config.redis().connect(registry);
    try {
      admin = Readiness.admin(config.kafka());
      http = vertx.createHttpServer().requestHandler(router(vertx, config)).listen(config.httpPort(), config.httpHost())
          .await(10, TimeUnit.SECONDS);
      management = vertx.createHttpServer().requestHandler(Routes.management(vertx, registry, readiness()))
          .listen(config.managementPort(), config.httpHost()).await(10, TimeUnit.SECONDS);
    } catch (Exception | Error e) {
      kafka.close(); // its reply reader would otherwise keep the JVM alive after a failed start
      redis.close();
      throw e;
    }
    LOG.info("The gateway is listening on port {} (metrics on port {}): {}.", http.actualPort(), management.actualPort(),
        config);
  }

  public static GatewayService start(GatewayConfig config, Vertx vertx) throws Exception {
    return start(config, vertx, Metrics.newRegistry(GatewayConfig.SERVICE));
  }

  /** With the registry {@code vertx} reports into (see ServiceVertx); the gateway closes it. */
  public static GatewayService start(GatewayConfig config, Vertx vertx, PrometheusMeterRegistry registry) throws Exception {
    return new GatewayService(config, vertx, registry);
  }

  private Map<String, Callable<Boolean>> readiness() {
    Map<String, Callable<Boolean>> readiness = new LinkedHashMap<>();
    readiness.put("kafka", Readiness.kafka(admin));
    readiness.put("replies", kafka::isRunning);
    // The hosted pages keep people and sessions in Redis: without it sign-in cannot work, so not ready.
    readiness.put("redis", Readiness.redis(redis));
    return readiness;
  }

  private Router router(Vertx vertx, GatewayConfig config) {
    Router router = Router.router(vertx);
    PlatformCalls calls = new PlatformCalls(config.codeMac(), config.factorBox(), config.addressBox(), kafka,
        config.requestTimeout());
    VerificationApi api = new VerificationApi(config.tenants(), calls);
    AnswerApi answers = new AnswerApi(calls,
        config.answerRateLimit() == 0 ? null : new AnswerRateLimit(config.answerRateLimit(), AnswerRateLimit.MAX_CLIENTS,
            System::nanoTime), config.trustedProxies(), registry);
    router.route().handler(ctx -> {
      ctx.response().putHeader("x-content-type-options", "nosniff");
      ctx.addEndHandler(v -> Counter.builder(Metrics.HTTP_REQUESTS).description("HTTP requests by route template and status")
          .tag("route", ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other" : ctx.currentRoute().getPath())
          .tag("status", Integer.toString(ctx.response().getStatusCode()))
          .register(registry).increment());
      ctx.next();
    });
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
    io.otpflow.gateway.pages.WebPlatform web = io.otpflow.gateway.pages.WebPlatform.create(config, calls, redis,
        java.time.Clock.systemUTC(), ctx -> AnswerRateLimit.clientOf(ctx.request().remoteAddress().hostAddress(),
            ctx.request().getHeader("x-forwarded-for"), config.trustedProxies()), config.metricsSources());
    Routes.table(router, config, api, answers, new AccountApi(config.codeMac(), config.factorBox(), config.addressBox(), calls),
        web, config.twilioAuthToken() == null ? null
            : new TwilioWebhook(config.twilioAuthToken(), config.publicUrl(), kafka, registry), calls);
    ServiceHttp.addOperationalRoutes(vertx, router, registry, readiness());
    router.route().last().handler(ctx -> Problems.send(ctx, 404, "not-found", "No such resource."));
    router.errorHandler(413, ctx -> Problems.send(ctx, 413, "body-too-large",
        "The body is larger than " + config.maxBodyBytes() + " bytes."));
    router.errorHandler(405, ctx -> Problems.send(ctx, 405, "method-not-allowed", "This method is not allowed here."));
    router.errorHandler(400, ctx -> Problems.send(ctx, 400, "bad-request", "The request is malformed."));
    router.errorHandler(500, ctx -> {
      // The route template, not the path: paths carry account ids and usernames, which stay out of logs.
      LOG.error("Unexpected failure serving {} {}.", ctx.request().method(),
          ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "(no route)" : ctx.currentRoute().getPath(),
          ctx.failure());
      Problems.send(ctx, 500, "internal-error", "Something went wrong on our side.");
    });
    return router;
  }

  public int httpPort() {
    return http.actualPort();
  }

  /** The port /metrics is served on (OTPFLOW_MANAGEMENT_PORT). */
  public int managementPort() {
    return management.actualPort();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    try {
      http.close().await(5, TimeUnit.SECONDS);
      management.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The gateway's HTTP server did not close cleanly: {}", e.toString());
    }
    kafka.close();
    redis.close();
    admin.close(Duration.ofSeconds(2));
    registry.close();
  }
}
