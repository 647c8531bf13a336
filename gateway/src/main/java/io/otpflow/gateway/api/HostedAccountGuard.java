package io.otpflow.gateway.api;

import io.otpflow.gateway.store.HostedAccounts;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import redis.clients.jedis.UnifiedJedis;

/**
 * Keeps the application API key away from the hosted pages' people ({@link HostedAccounts}): their
 * factors are managed on the hosted pages, or with the tenant's admin key. Runs before the account
 * routes ({@code /v1/accounts/{account}…}) and before a verification is sent to an account, after the
 * API key was checked; the Redis lookup for a not-yet-moved person runs off the event loop.
 */
public final class HostedAccountGuard {
  private final UnifiedJedis redis;

  public HostedAccountGuard(UnifiedJedis redis) {
    this.redis = redis;
  }

  /** For /v1/accounts/{account}…: the account in the path. */
  public void accountPath(RoutingContext ctx) {
    guard(ctx, ctx.pathParam("account"));
  }

  /** For POST /v1/verifications: the body's {@code account}, when it names one. */
  public void verificationBody(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    guard(ctx, body == null ? null : body.getValue("account") instanceof String a ? a : null);
  }

  private void guard(RoutingContext ctx, String account) {
    if (account == null || account.isEmpty() || VerificationApi.caller(ctx).isAdmin()) {
      ctx.next();
      return;
    }
    if (account.startsWith(HostedAccounts.PREFIX)) {
      refuse(ctx);
      return;
    }
    String tenant = VerificationApi.caller(ctx).tenant().id();
    ctx.vertx().executeBlocking(() -> HostedAccounts.isHosted(redis, tenant, account), false).onComplete(r -> {
      if (r.failed()) {
        ctx.fail(r.cause()); // fail closed: unknown is not "not hosted"
      } else if (r.result()) {
        refuse(ctx);
      } else {
        ctx.next();
      }
    });
  }

  private static void refuse(RoutingContext ctx) {
    Problems.send(ctx, 403, "hosted-account", "This account belongs to a person of the hosted sign-in pages: their factors"
        + " are managed there, or with the tenant's admin API key.");
  }
}
