package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.Attempts;
import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.SessionStore;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.TenantDirectory;
import io.otpflow.gateway.GatewayConfig;
import io.otpflow.gateway.platform.PlatformCalls;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.function.Function;
import redis.clients.jedis.UnifiedJedis;

/**
 * What the hosted pages share: the platform (through {@link PlatformCalls}, exactly as the JSON API
 * uses it) and the login gateway's own state in Redis: people, sessions, policy, activity, attempts.
 *
 * @param clientIpOf the client address of a request (the TCP peer, or X-Forwarded-For from a trusted proxy)
 * @param metricsSources the services' /metrics URLs the operator page reads (the platform's own numbers)
 */
public record WebPlatform(GatewayConfig config, TenantDirectory tenants, PlatformCalls calls, UnifiedJedis redis,
    UserStore users, SessionStore sessions, PolicyStore policies, ActivityLog activity, Attempts attempts, Clock clock,
    Function<RoutingContext, String> clientIpOf, java.util.List<java.net.URI> metricsSources) {

  public static WebPlatform create(GatewayConfig config, PlatformCalls calls, UnifiedJedis redis, Clock clock,
      Function<RoutingContext, String> clientIpOf, java.util.List<java.net.URI> metricsSources) {
    return new WebPlatform(config, config.tenants(), calls, redis, new UserStore(redis, io.otpflow.common.PasswordHash.OWASP),
        new SessionStore(redis, config.codeMac()), new PolicyStore(redis), new ActivityLog(redis), new Attempts(redis, !config.trustedProxies().isEmpty()), clock, clientIpOf,
        java.util.List.copyOf(metricsSources));
  }

  public String clientIp(RoutingContext ctx) {
    return clientIpOf.apply(ctx);
  }
}
