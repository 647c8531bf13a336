package io.otpflow.gateway.api;

import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.store.AnswerRateLimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.Tenant;
import io.otpflow.common.events.CheckReply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Push devices' answers: {@code POST /v1/verifications/{id}/answers}. The route runs before the API-key
 * check (see {@link VerificationApi#authenticateIfKeyed}): the device's signature is its credential,
 * and the verifier, which holds the devices' public keys, checks it. The gateway checks shapes, seals
 * the signature for Kafka, and maps the verifier's reply to HTTP.
 */
public final class AnswerApi {
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern DEVICE_ID = Pattern.compile("DV[0-9a-f]{32}");
  /** Base64 (standard or URL-safe, padding optional) of a DER or raw ECDSA P-256 signature. */
  private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9+/_-]{11,108}={0,2}");
  /** The route, as the HTTP metrics name it. */
  public static final String ROUTE = "/v1/verifications/:id/answers";

  private final PlatformCalls calls;
  private final AnswerRateLimit limit;
  private final Set<String> trustedProxies;
  private final Counter limited;

  /**
   * @param calls sends the answers to the verifier (sealing their signatures)
   * @param limit answers without an API key per client address, or null for none
   * @param trustedProxies proxies whose X-Forwarded-For names the client for {@code limit}
   */
  public AnswerApi(PlatformCalls calls, AnswerRateLimit limit, Set<String> trustedProxies, MeterRegistry registry) {
    this.calls = calls;
    this.limit = limit;
    this.trustedProxies = trustedProxies;
    this.limited = Counter.builder(Metrics.HTTP_RATE_LIMITED)
        .description("Requests refused with 429 by the gateway's own per-client limit (per instance)")
        .tag("route", ROUTE).register(registry);
  }

  /**
   * Before an answer without an API key is read: at most OTPFLOW_ANSWER_RATE_LIMIT a minute per client
   * address on this instance, else 429 with Retry-After. Nothing reaches Kafka, Redis or a signature
   * check for a refused one. An answer with a valid API key is the tenant's backend relaying its
   * app's answers, and is not limited here.
   */
  public void limitUnauthenticated(RoutingContext ctx) {
    if (limit == null || VerificationApi.tenant(ctx) != null) {
      ctx.next();
      return;
    }
    Duration wait = limit.acquire(AnswerRateLimit.clientOf(ctx.request().remoteAddress().hostAddress(),
        ctx.request().getHeader("x-forwarded-for"), trustedProxies));
    if (wait.isZero()) {
      ctx.next();
      return;
    }
    limited.increment();
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    ctx.response().putHeader("retry-after", Long.toString(seconds));
    Problems.send(ctx, 429, "rate-limited", "Too many answers from this address; retry after " + seconds + " s.");
  }

  /**
   * POST /v1/verifications/{id}/answers: a push device approves or denies, signing
   * "{id}:{decision}" or "{id}:{decision}:{number}". The gateway checks the shape only; the verifier,
   * which holds the devices' public keys, checks the signature. The signature is sealed before it
   * goes on Kafka.
   */
  public void answer(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx); // null without an API key
    String id = ctx.pathParam("id");
    if (!VERIFICATION_ID.matcher(id).matches()) {
      Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      return;
    }
    JsonObject body = VerificationApi.body(ctx);
    Object device = body.getValue("device_id");
    Object decision = body.getValue("decision");
    Object number = body.getValue("number");
    Object signature = body.getValue("signature");
    if (!(device instanceof String d && DEVICE_ID.matcher(d).matches())) {
      Problems.send(ctx, 400, "invalid-field", "'device_id' must be the answering device's id (DV…).");
      return;
    }
    if (!"approve".equals(decision) && !"deny".equals(decision)) {
      Problems.send(ctx, 400, "invalid-field", "'decision' must be \"approve\" or \"deny\".");
      return;
    }
    Integer typed = number(number);
    if (number != null && typed == null) {
      Problems.send(ctx, 400, "invalid-field", "'number' must be the two-digit number shown on the sign-in screen.");
      return;
    }
    String sig = signature instanceof String s ? s.strip() : null;
    byte[] raw = sig != null && SIGNATURE.matcher(sig).matches() ? base64(sig) : null;
    if (raw == null || raw.length < 8 || raw.length > 80) {
      Problems.send(ctx, 400, "invalid-field", "'signature' must be base64 of the device's ECDSA P-256 signature (DER or"
          + " raw r||s) over \"" + id + ":" + decision + (typed == null ? "" : ":" + typed) + "\".");
      return;
    }
    askAnswer(ctx, tenant == null ? null : tenant.id(), id, (String) device, (String) decision, typed, raw)
        .onSuccess(reply -> toHttp(ctx, id, reply));
  }

  /**
   * Sends an answer to the verifier, its signature sealed (also used by the dev outbox page, which
   * signs for its development devices). A failure has been answered 503 already.
   */
  public Future<CheckReply> askAnswer(RoutingContext ctx, String tenant, String id, String device, String decision, Integer number,
      byte[] signature) {
    return Future.fromCompletionStage(calls.answer(tenant, id, device, decision, number, signature),
            ctx.vertx().getOrCreateContext())
        .onFailure(e -> Problems.send(ctx, 503, "platform-unavailable",
            "The platform cannot take answers right now; retry later."));
  }

  /** A JSON integer 10-99 or a string of those two digits; null for anything else. */
  private static Integer number(Object value) {
    if (value instanceof Integer i && i >= 10 && i <= 99) {
      return i;
    }
    if (value instanceof String s && s.matches("[1-9][0-9]")) {
      return Integer.valueOf(s);
    }
    return null;
  }

  private static byte[] base64(String text) {
    try {
      return text.contains("-") || text.contains("_")
          ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void toHttp(RoutingContext ctx, String id, CheckReply reply) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject body = new JsonObject().put("id", id);
    switch (reply) {
      case CheckReply.Approved a -> VerificationApi.respond(ctx, 200, body.put("status", "approved"));
      case CheckReply.Declined d -> VerificationApi.respond(ctx, 200, body.put("status", "denied"));
      case CheckReply.Denied d -> {
        ctx.put(Problems.EXTRA, new JsonObject().put("attempts_left", d.attemptsLeft()));
        Problems.send(ctx, 422, "wrong-number", "The number does not match the one on the sign-in screen; "
            + d.attemptsLeft() + " attempts left.");
      }
      case CheckReply.Expired e -> VerificationApi.respond(ctx, 200, body.put("status", "expired"));
      case CheckReply.Locked l -> {
        body.put("status", "locked");
        if (l.retryAfterSeconds() > 0) {
          ctx.response().putHeader("retry-after", Long.toString(l.retryAfterSeconds()));
          body.put("retry_after_seconds", l.retryAfterSeconds());
        }
        VerificationApi.respond(ctx, 200, body);
      }
      case CheckReply.NotPending p -> Problems.send(ctx, 409, "verification-not-pending",
          "This verification is " + p.status() + " already: the first answer decides.");
      case CheckReply.NotFound n -> Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      case CheckReply.Refused r -> {
        if (CheckReply.Refused.INVALID_SIGNATURE.equals(r.reason())) {
          Problems.send(ctx, 403, "invalid-signature",
              "The signature is not valid for an active device of this verification's account.");
        } else {
          Problems.send(ctx, 409, "code-expected", "This verification is checked with a code, not answered by a device.");
        }
      }
      case CheckReply.Unavailable u ->
          Problems.send(ctx, 503, "platform-unavailable", "The platform cannot take answers right now; retry later.");
    }
  }

}
