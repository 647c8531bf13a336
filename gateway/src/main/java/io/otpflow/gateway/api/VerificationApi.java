package io.otpflow.gateway.api;

import io.otpflow.gateway.platform.PhoneNumbers;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.platform.RecoveryCodes;

import io.otpflow.common.Json;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.VerificationView;
import io.otpflow.common.kafka.RequestReplyClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The client API: start a verification, read it, check a code. Each handler validates its input
 * (validation handlers run first and answer 400 with nothing sent), then asks the issuer or the
 * verifier over Kafka and maps the reply to HTTP.
 */
public final class VerificationApi {
  static final String TENANT = "otpflow.tenant";
  static final String CALLER = "otpflow.caller";
  private static final String BODY = "otpflow.body";
  private static final Pattern FACTOR_ID = Pattern.compile("FA[0-9a-f]{32}");
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern CODE = Pattern.compile("[0-9]{4,10}");
  private static final Pattern ACCOUNT = Pattern.compile("[\\p{Alnum}._:@+=-]{1,128}");
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  private static final Pattern IPV6 = Pattern.compile("(?=.*:.*:)[0-9a-fA-F:]{2,39}");
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
  /**
   * Where a push sign-in comes from, shown in the notification: printable text without format
   * characters (no bidi overrides that could make the prompt read differently than it is), no lone
   * surrogate halves, and without braces (no {code} placeholders).
   */
  static final Pattern CONTEXT = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}{}]{1,100}");

  private final TenantDirectory tenants;
  private final PlatformCalls calls;

  public VerificationApi(TenantDirectory tenants, PlatformCalls calls) {
    this.tenants = tenants;
    this.calls = calls;
  }

  /**
   * Bearer API key → tenant (its application's key, or its admin key); anything else is 401 with
   * the same answer whatever was wrong.
   */
  public void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    Optional<TenantDirectory.Caller> caller =
        header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
            ? tenants.callerByApiKey(header.substring(7).trim())
            : Optional.empty();
    if (caller.isEmpty()) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"otpflow\"");
      Problems.send(ctx, 401, "unauthorized", "Send a valid API key as 'Authorization: Bearer <key>'.");
      return;
    }
    ctx.put(TENANT, caller.get().tenant());
    ctx.put(CALLER, caller.get());
    ctx.next();
  }

  /**
   * For device answers: a device holds no tenant API key, its signature is its credential, so the
   * key is optional. One that is sent must be valid (else 401, as everywhere), and then the
   * verification must be its tenant's (the verifier answers 404 otherwise).
   */
  public void authenticateIfKeyed(RoutingContext ctx) {
    if (ctx.request().getHeader("authorization") == null) {
      ctx.next();
      return;
    }
    authenticate(ctx);
  }

  static Tenant tenant(RoutingContext ctx) {
    return ctx.get(TENANT);
  }

  static TenantDirectory.Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  static JsonObject body(RoutingContext ctx) {
    return ctx.get(BODY);
  }

  /** Like {@link #requireJsonObject}, but an empty body counts as {} (a DELETE often has none). */
  public void optionalJsonObject(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0) {
      ctx.put(BODY, new JsonObject());
      ctx.next();
      return;
    }
    requireJsonObject(ctx);
  }

  /** The body must be a JSON object; its fields are validated by each route. */
  public void requireJsonObject(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      Problems.send(ctx, 415, "unsupported-media-type", "Send the body as application/json.");
      return;
    }
    JsonObject body;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(ctx.body().buffer());
      if (!(parsed instanceof JsonObject object)) {
        Problems.send(ctx, 400, "invalid-json", "The body must be a JSON object.");
        return;
      }
      body = object;
    } catch (RuntimeException e) {
      Problems.send(ctx, 400, "invalid-json", "The body is not valid JSON.");
      return;
    }
    ctx.put(BODY, body);
    ctx.next();
  }

  /** A validated send: everything the issuer needs, nothing it must re-check. */
  private record SendInput(String to, String channel, String account, String clientIp, String factorId, String mode,
      Boolean numberMatching, String context) {}

  public void validateSend(RoutingContext ctx) {
    JsonObject body = ctx.get(BODY);
    Tenant tenant = ctx.get(TENANT);
    Object to = body.getValue("to");
    Object channel = body.getValue("channel", "sms");
    Object account = body.getValue("account");
    Object country = body.getValue("country");
    Object clientIp = body.getValue("client_ip");
    Object factorId = body.getValue("factor_id");
    if (!(channel instanceof String channelText)) {
      Problems.send(ctx, 400, "invalid-field", "'channel' must be a string.");
      return;
    }
    boolean push = "push".equals(channelText);
    boolean silent = "totp".equals(channelText) || "recovery_code".equals(channelText);
    if (!"sms".equals(channelText) && !silent && !push) {
      Problems.send(ctx, 400, "unsupported-channel", "Channel must be 'sms', 'push', 'totp' or 'recovery_code'.");
      return;
    }
    PushInput pushInput = pushInput(ctx, body, push);
    if (pushInput == null) {
      return;
    }
    if (account != null && !(account instanceof String a && ACCOUNT.matcher(a).matches())) {
      Problems.send(ctx, 400, "invalid-field", "'account' must be 1-128 letters, digits or ._:@+=- characters.");
      return;
    }
    if (factorId != null && !(factorId instanceof String f && FACTOR_ID.matcher(f).matches())) {
      Problems.send(ctx, 400, "invalid-field", "'factor_id' must be a factor id (FA…).");
      return;
    }
    boolean toAccount = silent || push || (to == null && account != null);
    if (toAccount && (account == null || to != null)) {
      Problems.send(ctx, 400, "invalid-field", push
          ? "A push verification needs 'account' and no 'to': it goes to every device of the account."
          : silent
          ? "A " + channelText + " verification needs 'account' and no 'to': the code comes from the account's factor."
          : "An SMS to the account's phone needs 'account'.");
      return;
    }
    if (push && factorId != null) {
      Problems.send(ctx, 400, "invalid-field", "A push goes to every device of the account; 'factor_id' does not apply.");
      return;
    }
    if (!toAccount && factorId != null) {
      Problems.send(ctx, 400, "invalid-field", "'factor_id' names a factor of 'account'; send it without 'to'.");
      return;
    }
    if (!toAccount && !(to instanceof String)) {
      Problems.send(ctx, 400, "invalid-field", "'to' is required and must be a string (E.164, or national with 'country').");
      return;
    }
    String ipSubject = null;
    if (clientIp != null) {
      ipSubject = clientIp instanceof String ip && (IPV4.matcher(ip).matches() || IPV6.matcher(ip).matches())
          ? limitSubject(ip) : null;
      if (ipSubject == null) {
        Problems.send(ctx, 400, "invalid-field", "'client_ip' must be the end user's IPv4 or IPv6 address.");
        return;
      }
    }
    if (country != null && !(country instanceof String)) {
      Problems.send(ctx, 400, "invalid-field", "'country' must be an ISO 3166 region code like \"US\".");
      return;
    }
    String region = country != null ? (String) country : tenant.defaultRegion();
    Optional<String> e164 = toAccount ? Optional.empty() : PhoneNumbers.toE164((String) to, region);
    if (!toAccount && e164.isEmpty()) {
      Problems.send(ctx, 400, "invalid-phone-number", "'to' is not a valid phone number.");
      return;
    }
    String key = ctx.request().getHeader("idempotency-key");
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      Problems.send(ctx, 400, "invalid-idempotency-key", "Idempotency-Key must be 1-255 visible ASCII characters.");
      return;
    }
    ctx.put(BODY, new SendInput(e164.orElse(null), channelText, (String) account, ipSubject, (String) factorId,
        pushInput.mode(), pushInput.numberMatching(), pushInput.context()));
    ctx.next();
  }

  /** The push settings of a send: mode, number matching, context. */
  private record PushInput(String mode, Boolean numberMatching, String context) {
    static final PushInput NONE = new PushInput(null, null, null);
  }

  /**
   * {@code mode} (code or approve, default approve), {@code number_matching} (approve only) and
   * {@code context}, for a push; none of them for another channel. Null after answering 400.
   */
  private static PushInput pushInput(RoutingContext ctx, JsonObject body, boolean push) {
    Object mode = body.getValue("mode");
    Object matching = body.getValue("number_matching");
    Object context = body.getValue("context");
    if (!push) {
      if (mode != null || matching != null || context != null) {
        Problems.send(ctx, 400, "invalid-field", "'mode', 'number_matching' and 'context' are for push verifications.");
        return null;
      }
      return PushInput.NONE;
    }
    String m = mode == null ? "approve" : mode instanceof String s ? s : "";
    if (!"approve".equals(m) && !"code".equals(m)) {
      Problems.send(ctx, 400, "invalid-field", "'mode' must be \"approve\" (the device approves or denies) or \"code\""
          + " (the notification shows a code).");
      return null;
    }
    if (matching != null && !(matching instanceof Boolean)) {
      Problems.send(ctx, 400, "invalid-field", "'number_matching' must be true or false.");
      return null;
    }
    if (Boolean.TRUE.equals(matching) && !"approve".equals(m)) {
      Problems.send(ctx, 400, "invalid-field", "'number_matching' works with mode approve only.");
      return null;
    }
    if (context != null && !(context instanceof String c && CONTEXT.matcher(c).matches() && !c.isBlank())) {
      Problems.send(ctx, 400, "invalid-field", "'context' must be 1-100 printable characters without braces, e.g."
          + " \"Firefox on Linux, Berlin\".");
      return null;
    }
    return new PushInput(m, Boolean.TRUE.equals(matching), context == null ? null : ((String) context).strip());
  }

  public void send(RoutingContext ctx) {
    Tenant tenant = ctx.get(TENANT);
    SendInput input = ctx.get(BODY);
    String key = ctx.request().getHeader("idempotency-key");
    String id = key != null ? calls.verificationIdFor(tenant, key) : calls.newVerificationId();
    Future.fromCompletionStage(calls.send(tenant, id, new PlatformCalls.Send(input.to(), input.channel(),
            input.account(), input.clientIp(), input.factorId(), input.mode(), input.numberMatching(), input.context(),
            key)), ctx.vertx().getOrCreateContext())
        .onSuccess(reply -> {
          if (reply instanceof IssuerReply.Unavailable) {
            outcomeUnknown(ctx, id); // Redis failed somewhere in the send: maybe after its dispatch was published
          } else {
            answerIssuer(ctx, reply, 201);
          }
        })
        .onFailure(e -> {
          if (e instanceof RequestReplyClient.UnavailableException u && !u.mayHaveArrived()) {
            Problems.send(ctx, 503, "platform-unavailable", "The platform cannot serve this request right now; retry later.");
          } else {
            outcomeUnknown(ctx, id);
          }
        });
  }

  /**
   * A send the platform did not confirm but may have started: its id and where to read it, so the
   * caller can look before sending again (a GET is ordered behind the send: it finds the verification,
   * or the send will never happen) or retry with the same Idempotency-Key, which gets the same id.
   */
  private static void outcomeUnknown(RoutingContext ctx, String id) {
    ctx.put(Problems.EXTRA, new JsonObject().put("verification_id", id));
    ctx.response().putHeader("location", "/v1/verifications/" + id);
    Problems.send(ctx, 503, "outcome-unknown", "The platform did not confirm this send in time; its code may still"
        + " go out. Read GET /v1/verifications/" + id + " before sending again (404 there means it will not go out),"
        + " or retry with the same Idempotency-Key.");
  }

  public void status(RoutingContext ctx) {
    Tenant tenant = ctx.get(TENANT);
    String id = ctx.pathParam("id");
    if (!VERIFICATION_ID.matcher(id).matches()) {
      Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      return;
    }
    on(ctx, calls.status(tenant, id)).onSuccess(reply -> answerIssuer(ctx, reply, 200));
  }

  public void check(RoutingContext ctx) {
    Tenant tenant = ctx.get(TENANT);
    String id = ctx.pathParam("id");
    JsonObject body = ctx.get(BODY);
    if (!VERIFICATION_ID.matcher(id).matches()) {
      Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      return;
    }
    Object typed = body.getValue("code");
    String recovery = typed instanceof String t ? RecoveryCodes.normalise(t) : null;
    if (recovery == null && (!(typed instanceof String code) || !CODE.matcher(code).matches())) {
      Problems.send(ctx, 400, "invalid-code", "'code' must be a string of 4 to 10 digits, or a recovery code.");
      return;
    }
    on(ctx, calls.check(tenant, id, (String) typed)).onSuccess(reply -> answerCheck(ctx, id, reply));
  }

  private static <T> Future<T> on(RoutingContext ctx, java.util.concurrent.CompletionStage<T> call) {
    return Future.fromCompletionStage(call, ctx.vertx().getOrCreateContext())
        .onFailure(
            e -> Problems.send(ctx, 503, "platform-unavailable", "The platform cannot serve this request right now; retry later."));
  }

  private void answerIssuer(RoutingContext ctx, IssuerReply reply, int createdStatus) {
    switch (reply) {
      case IssuerReply.Created c -> {
        // Replayed without an Idempotency-Key means only that Kafka delivered the request twice.
        boolean replayed = c.replayed() && ctx.request().getHeader("idempotency-key") != null;
        if (replayed) {
          ctx.response().putHeader("idempotent-replayed", "true");
        }
        respond(ctx, replayed ? 200 : createdStatus, view(c.verification()));
      }
      case IssuerReply.Found f -> respond(ctx, 200, view(f.verification()));
      case IssuerReply.RateLimited r -> {
        ctx.response().putHeader("retry-after", Long.toString(r.retryAfterSeconds()));
        if (IssuerReply.RateLimited.UNANSWERED.equals(r.reason())) {
          Problems.send(ctx, 429, "too-many-unanswered-pushes", "This account has too many push verifications since"
              + " its last successful sign-in (push fatigue guard); sign in another way, or retry after "
              + r.retryAfterSeconds() + " s.");
        } else if (IssuerReply.RateLimited.SPEND_CAP.equals(r.reason())) {
          Problems.send(ctx, 429, "spend-cap-reached", "The daily SMS spend cap is reached; sends resume at 00:00 UTC"
              + " (in " + r.retryAfterSeconds() + " s).");
        } else {
          Problems.send(ctx, 429, "rate-limited", "Too many codes sent (" + r.reason() + " limit); retry after "
              + r.retryAfterSeconds() + " s.");
        }
      }
      case IssuerReply.NotFound n -> Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      case IssuerReply.Rejected r -> Problems.send(ctx, rejectedStatus(r.errorCode()), r.errorCode(), r.detail());
      case IssuerReply.Unavailable u ->
          Problems.send(ctx, 503, "platform-unavailable", "The platform cannot serve this request right now; retry later.");
    }
  }

  private static int rejectedStatus(String code) {
    return switch (code) {
      case "idempotency-key-reused" -> 422;
      case "idempotency-key-in-flight", "conflict", "no-active-factor" -> 409;
      case "unknown-tenant" -> 500; // the gateway and the issuer disagree on tenants: our fault, not the client's
      default -> 400;
    };
  }

  private void answerCheck(RoutingContext ctx, String id, CheckReply reply) {
    JsonObject body = new JsonObject().put("id", id);
    switch (reply) {
      case CheckReply.Approved a -> respond(ctx, 200, body.put("status", "approved"));
      case CheckReply.Denied d -> respond(ctx, 200, body.put("status", "denied").put("attempts_left", d.attemptsLeft()));
      case CheckReply.Expired e -> respond(ctx, 200, body.put("status", "expired"));
      case CheckReply.Locked l -> {
        body.put("status", "locked");
        if (l.retryAfterSeconds() > 0) {
          ctx.response().putHeader("retry-after", Long.toString(l.retryAfterSeconds()));
          body.put("retry_after_seconds", l.retryAfterSeconds());
        }
        respond(ctx, 200, body);
      }
      case CheckReply.NotPending p ->
          Problems.send(ctx, 409, "verification-not-pending", "This verification is " + p.status() + "; a code is good once.");
      case CheckReply.NotFound n -> Problems.send(ctx, 404, "verification-not-found", "No such verification.");
      case CheckReply.Refused r -> Problems.send(ctx, 409, "answer-expected",
          "This verification is approved or denied on a device, not checked with a code.");
      case CheckReply.Declined d -> Problems.send(ctx, 409, "verification-not-pending", "This verification is denied.");
      case CheckReply.Unavailable u ->
          Problems.send(ctx, 503, "platform-unavailable", "The platform cannot check codes right now; retry later.");
    }
  }

  /**
   * The per-IP limit's subject: an IPv4 address, or an IPv6 /64 (one subscriber usually holds a
   * whole /64, so counting single addresses would give them 2^64 fresh limits). One spelling per
   * address; parsing a validated literal does no DNS lookup. Null when it is not an address.
   */
  private static String limitSubject(String literal) {
    try {
      java.net.InetAddress address = java.net.InetAddress.getByName(literal);
      if (address instanceof java.net.Inet6Address) {
        byte[] prefix = java.util.Arrays.copyOf(address.getAddress(), 16);
        java.util.Arrays.fill(prefix, 8, 16, (byte) 0);
        return java.net.InetAddress.getByAddress(prefix).getHostAddress() + "/64";
      }
      return address.getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static JsonObject view(VerificationView v) {
    return new JsonObject(Json.writeString(v));
  }

  /** A JSON answer, not cached; nothing when the response was ended already (a 503 after a timeout). */
  static void respond(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(body.encode());
    }
  }
}
