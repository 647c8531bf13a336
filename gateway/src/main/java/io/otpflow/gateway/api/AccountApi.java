package io.otpflow.gateway.api;

import io.otpflow.gateway.platform.PhoneNumbers;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.platform.QrCodes;

import io.otpflow.common.Base32;
import io.otpflow.common.CodeMac;
import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountRequest;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.IssuerReply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The account API: enrol authenticator apps (TOTP, by QR code or typed key) and phone numbers,
 * confirm them, register push devices, generate recovery codes, read an account, and remove factors
 * with proof. The gateway makes every secret (TOTP secrets, recovery codes, ids) and seals or MACs
 * it before it goes to the verifier, which owns the registry; nothing secret travels in clear.
 */
public final class AccountApi {
  /** An optional leading ~ is the hosted pages' people's namespace, which only the admin key reaches (HostedAccountGuard). */
  private static final Pattern ACCOUNT = Pattern.compile("~?[\\p{Alnum}._:@+=-]{1,128}");
  private static final Pattern FACTOR_ID = Pattern.compile("FA[0-9a-f]{32}");
  private static final Pattern DEVICE_ID = Pattern.compile("DV[0-9a-f]{32}");
  private static final Pattern ANY_ID = Pattern.compile("(FA|DV)[0-9a-f]{32}");
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern TOTP_CODE = Pattern.compile("[0-9]{6,8}");
  private static final Pattern SMS_CODE = Pattern.compile("[0-9]{4,10}");
  /**
   * Printable text for labels, device names and admin reasons: no control characters, no format
   * characters (a right-to-left override or zero-width character would make "who answered" or an
   * audit reason read differently than it is stored) and no lone surrogate halves (emoji are fine).
   */
  private static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}]+");
  private static final Pattern APNS_TOKEN = Pattern.compile("([0-9a-fA-F]{2}){32,100}");
  private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:\\-]{20,4096}");
  /** How long the QR code URL of an enrolment works: as long as the enrolment can be confirmed. */
  private static final Duration QR_URL_LIFETIME = Duration.ofMinutes(10);

  private final CodeMac codeMac;
  private final SecretBox factorBox;
  private final SecretBox addressBox;
  private final PlatformCalls calls;
  private final SecureRandom random = new SecureRandom();

  public AccountApi(CodeMac codeMac, SecretBox factorBox, SecretBox addressBox, PlatformCalls calls) {
    this.codeMac = codeMac;
    this.factorBox = factorBox;
    this.addressBox = addressBox;
    this.calls = calls;
  }

  /** Runs before every account route: the account id in the path must be valid. */
  public void validateAccount(RoutingContext ctx) {
    String account = ctx.pathParam("account");
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      Problems.send(ctx, 400, "invalid-account", "The account must be 1-128 letters, digits or ._:@+=- characters.");
      return;
    }
    ctx.next();
  }

  // ---------------------------------------------------------------- authenticator apps

  public void enrollTotp(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    JsonObject body = VerificationApi.body(ctx);
    Optional<String> label = optionalText(ctx, body, "label", 64);
    if (label == null) {
      return;
    }
    on(ctx, calls.enrollTotp(tenant, account, label.orElse(null))).onSuccess(e -> {
      if (!(e.reply() instanceof AccountReply.Done done)) {
        answer(ctx, e.reply(), 200);
        return;
      }
      Instant qrExpires = Instant.now().plus(QR_URL_LIFETIME);
      JsonObject out = factorJson(done.account(), e.factorId())
          .put("factor_id", e.factorId())
          .put("secret", Base32.grouped(e.secret()))
          .put("otpauth_uri", e.otpauthUri())
          .put("qr_png", "data:image/png;base64," + Base64.getEncoder().encodeToString(QrCodes.png(e.otpauthUri())))
          .put("qr_png_url", "/v1/accounts/" + urlPath(account) + "/factors/" + e.factorId() + "/qr.png?t="
              + qrToken(tenant, account, e.factorId(), e.otpauthUri(), qrExpires));
      VerificationApi.respond(ctx, 201, out);
    });
  }

  /**
   * GET …/factors/{id}/qr.png?t=…: the enrolment's QR code, while its URL (an encrypted token) is fresh
   * and the enrolment still pending: the code holds the secret, which is shown at enrolment only.
   */
  public void qrPng(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    String factorId = ctx.pathParam("factor");
    String token = ctx.queryParams().get("t");
    String uri = factorId != null && FACTOR_ID.matcher(factorId).matches() && token != null && token.length() < 2048
        ? openQrToken(tenant, account, factorId, token) : null;
    if (uri == null) {
      Problems.send(ctx, 404, "not-found", "No such QR code, or its link has expired; enrol again.");
      return;
    }
    on(ctx, calls.account(tenant, account))
        .onSuccess(reply -> {
          if (reply instanceof AccountReply.Unavailable) {
            unavailable(ctx);
            return;
          }
          AccountView.Factor factor = reply instanceof AccountReply.Done d ? find(d.account(), factorId) : null;
          if (factor == null || !StoredFactor.TOTP.equals(factor.type()) || !StoredFactor.PENDING.equals(factor.status())) {
            Problems.send(ctx, 404, "not-found", "No such QR code: the enrolment is confirmed, removed or expired.");
            return;
          }
          if (!ctx.response().ended()) {
            ctx.response().putHeader("content-type", "image/png").putHeader("cache-control", "no-store")
                .end(io.vertx.core.buffer.Buffer.buffer(QrCodes.png(uri)));
          }
        });
  }

  private String qrToken(Tenant tenant, String account, String factorId, String uri, Instant expires) {
    SealedValue v = factorBox.seal(expires.getEpochSecond() + "|" + uri, "totp-qr|" + tenant.id() + "|" + account + "|" + factorId);
    return URLEncoder.encode(v.keyId() + "." + v.nonce() + "." + v.ciphertext(), StandardCharsets.UTF_8);
  }

  private String openQrToken(Tenant tenant, String account, String factorId, String token) {
    try {
      String[] parts = token.split("\\."); // the query parameter is decoded already
      if (parts.length != 3) {
        return null;
      }
      String plain = factorBox.open(new SealedValue(parts[0], parts[1], parts[2]),
          "totp-qr|" + tenant.id() + "|" + account + "|" + factorId);
      int bar = plain.indexOf('|');
      return Instant.now().getEpochSecond() < Long.parseLong(plain.substring(0, bar)) ? plain.substring(bar + 1) : null;
    } catch (RuntimeException e) {
      return null; // tampered, another tenant's or account's, or sealed with a key no longer configured
    }
  }

  // ---------------------------------------------------------------- phone numbers

  public void enrollPhone(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    JsonObject body = VerificationApi.body(ctx);
    Optional<String> label = optionalText(ctx, body, "label", 64);
    if (label == null) {
      return;
    }
    Object phone = body.getValue("phone");
    Object country = body.getValue("country");
    if (!(phone instanceof String phoneText) || (country != null && !(country instanceof String))) {
      Problems.send(ctx, 400, "invalid-field", "'phone' is required (E.164, or national with 'country').");
      return;
    }
    Optional<String> e164 = PhoneNumbers.toE164(phoneText, country != null ? (String) country : tenant.defaultRegion());
    if (e164.isEmpty()) {
      Problems.send(ctx, 400, "invalid-phone-number", "'phone' is not a valid phone number.");
      return;
    }
    on(ctx, calls.enrollPhone(tenant, account, e164.get(), label.orElse(null))).onSuccess(e -> {
      if (!(e.reply() instanceof AccountReply.Done done)) {
        answer(ctx, e.reply(), 200);
        return;
      }
      switch (e.sent()) {
        case IssuerReply.Created c -> VerificationApi.respond(ctx, 201, factorJson(done.account(), e.factorId())
            .put("factor_id", e.factorId()).put("verification_id", e.verificationId()));
        case IssuerReply.RateLimited r -> {
          ctx.response().putHeader("retry-after", Long.toString(r.retryAfterSeconds()));
          Problems.send(ctx, 429, "rate-limited", "Too many codes sent (" + r.reason() + " limit); retry after "
              + r.retryAfterSeconds() + " s.");
        }
        default -> unavailable(ctx);
      }
    });
  }

  // ---------------------------------------------------------------- confirm

  /**
   * Confirms an enrolment with a code: the app's current code, or the code of the SMS sent to the
   * number. The code's MAC is bound to what the verifier checks it against, which depends on the
   * factor's kind, so the gateway reads the factor first.
   */
  public void confirm(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    String factorId = ctx.pathParam("factor");
    Object code = VerificationApi.body(ctx).getValue("code");
    if (!FACTOR_ID.matcher(factorId).matches()) {
      Problems.send(ctx, 404, "factor-not-found", "No such factor.");
      return;
    }
    if (!(code instanceof String codeText) || !SMS_CODE.matcher(codeText).matches()) {
      Problems.send(ctx, 400, "invalid-code", "'code' must be a string of digits.");
      return;
    }
    on(ctx, calls.confirm(tenant, account, factorId, codeText)).onSuccess(r -> {
      if (r instanceof AccountReply.Done d) {
        VerificationApi.respond(ctx, 200, factorJson(d.account(), factorId));
      } else {
        answer(ctx, r, 200);
      }
    });
  }

  // ---------------------------------------------------------------- removal, recovery codes, reads

  public void removeFactor(RoutingContext ctx) {
    remove(ctx, ANY_ID, "factor-not-found");
  }

  public void removeDevice(RoutingContext ctx) {
    remove(ctx, DEVICE_ID, "device-not-found");
  }

  private void remove(RoutingContext ctx, Pattern ids, String notFound) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    String id = ctx.pathParam("factor");
    if (id == null || !ids.matcher(id).matches()) {
      Problems.send(ctx, 404, notFound, "No such factor or device.");
      return;
    }
    PlatformCalls.Proof proof = proof(ctx);
    if (proof == null) {
      return;
    }
    on(ctx, calls.remove(tenant, account, id, proof))
        .onSuccess(reply -> {
          if (reply instanceof AccountReply.NotFound) {
            Problems.send(ctx, 404, notFound, "No such factor or device.");
          } else {
            answer(ctx, reply, 200);
          }
        });
  }

  /** DELETE …/factors: two-step verification off, every factor, device and recovery code on one proof. */
  public void turnOff(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    PlatformCalls.Proof proof = proof(ctx);
    if (proof == null) {
      return;
    }
    on(ctx, calls.turnOff(tenant, account, proof)).onSuccess(reply -> answer(ctx, reply, 200));
  }

  public void generateRecoveryCodes(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    PlatformCalls.Proof proof = proof(ctx);
    if (proof == null) {
      return;
    }
    on(ctx, calls.generateRecoveryCodes(tenant, account, proof)).onSuccess(set -> {
      if (set.reply() instanceof AccountReply.Done d) {
        VerificationApi.respond(ctx, 201, new JsonObject().put("codes", new JsonArray(set.codes()))
            .put("remaining", d.account().recoveryCodes().remaining())
            .put("created_at", String.valueOf(d.account().recoveryCodes().createdAt())));
      } else {
        answer(ctx, set.reply(), 200);
      }
    });
  }

  public void get(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    on(ctx, calls.account(tenant, account))
        .onSuccess(reply -> answer(ctx, reply, 200));
  }

  public void listDevices(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    on(ctx, calls.account(tenant, account))
        .onSuccess(reply -> {
          if (reply instanceof AccountReply.Done d) {
            VerificationApi.respond(ctx, 200, new JsonObject().put("account", account)
                .put("devices", new JsonArray(Json.writeString(d.account().devices()))));
          } else {
            answer(ctx, reply, 200);
          }
        });
  }

  // ---------------------------------------------------------------- devices

  public void registerDevice(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String account = ctx.pathParam("account");
    JsonObject body = VerificationApi.body(ctx);
    Object platform = body.getValue("platform");
    Object token = body.getValue("token");
    Object publicKey = body.getValue("public_key");
    if (!"apns".equals(platform) && !"fcm".equals(platform)) {
      Problems.send(ctx, 400, "invalid-field", "'platform' must be \"apns\" or \"fcm\".");
      return;
    }
    if (!(token instanceof String tokenText)
        || !("apns".equals(platform) ? APNS_TOKEN : FCM_TOKEN).matcher(tokenText).matches()) {
      Problems.send(ctx, 400, "invalid-field", "'token' is not a valid " + platform + " device token.");
      return;
    }
    Optional<String> name = optionalText(ctx, body, "name", 100);
    if (name == null) {
      return;
    }
    if (name.isEmpty()) {
      Problems.send(ctx, 400, "invalid-field", "'name' is required: 1-100 printable characters.");
      return;
    }
    Optional<String> label = optionalText(ctx, body, "label", 100);
    if (label == null) {
      return;
    }
    if (!(publicKey instanceof String key) || !DeviceKeys.isP256PublicKey(key)) {
      Problems.send(ctx, 400, "invalid-public-key", "'public_key' must be base64 SubjectPublicKeyInfo of an ECDSA P-256 key.");
      return;
    }
    String normalisedToken = "apns".equals(platform) ? tokenText.toLowerCase() : tokenText;
    String deviceId = "DV" + HexFormat.of().formatHex(randomBytes(16));
    AccountRequest.RegisterDevice request = new AccountRequest.RegisterDevice(UUID.randomUUID().toString(), Instant.now(),
        tenant.id(), account, deviceId, (String) platform,
        addressBox.seal(normalisedToken, StoredFactor.pushTokenAad(tenant.id(), account)),
        codeMac.mac(tenant.id(), "push-token", normalisedToken), name.get(), label.orElse(null), key);
    on(ctx, calls.ask(tenant, account, request)).onSuccess(reply -> {
      if (reply instanceof AccountReply.Done d) {
        // The same token registered again updates its device, which keeps its id: 200, not 201.
        VerificationApi.respond(ctx, deviceId.equals(d.factorId()) ? 201 : 200, deviceJson(d.account(), d.factorId()));
      } else {
        answer(ctx, reply, 200);
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The proof in a body: {@code code} (an app's current code, or a recovery code), or
   * {@code verification_id}; with the admin key, {@code reason} alone is the admin form. Null when
   * the body is invalid (the problem is sent).
   */
  private static PlatformCalls.Proof proof(RoutingContext ctx) {
    JsonObject body = VerificationApi.body(ctx);
    boolean admin = VerificationApi.caller(ctx).isAdmin();
    Object code = body.getValue("code");
    Object verification = body.getValue("verification_id");
    Optional<String> reason = optionalText(ctx, body, "reason", 500);
    if (reason == null) {
      return null;
    }
    if (verification != null && !(verification instanceof String v && VERIFICATION_ID.matcher(v).matches())) {
      Problems.send(ctx, 400, "invalid-field", "'verification_id' must be a verification id (VE…).");
      return null;
    }
    PlatformCalls.Proof proof = new PlatformCalls.Proof(code instanceof String s ? s : null, (String) verification, admin,
        reason.orElse(null));
    if ((code != null && !(code instanceof String)) || !proof.wellFormed()) {
      Problems.send(ctx, 400, "invalid-code", "'code' must be the app's current code or a recovery code.");
      return null;
    }
    return proof;
  }

  /** Empty when absent; null (after answering 400) when present but not 1-max printable characters. */
  private static Optional<String> optionalText(RoutingContext ctx, JsonObject body, String field, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String s) || s.isBlank() || s.length() > max || !TEXT.matcher(s).matches()) {
      Problems.send(ctx, 400, "invalid-field", "'" + field + "' must be 1-" + max + " printable characters.");
      return null;
    }
    return Optional.of(s.strip());
  }

  /** The call's future on the request's context; a platform that does not answer in time gets 503. */
  private static <T> Future<T> on(RoutingContext ctx, java.util.concurrent.CompletionStage<T> call) {
    return Future.fromCompletionStage(call, ctx.vertx().getOrCreateContext()).onFailure(e -> unavailable(ctx));
  }

  private static void answer(RoutingContext ctx, AccountReply reply, int doneStatus) {
    switch (reply) {
      case AccountReply.Done d -> VerificationApi.respond(ctx, doneStatus, new JsonObject(Json.writeString(d.account())));
      case AccountReply.Denied d -> {
        ctx.put(Problems.EXTRA, new JsonObject().put("attempts_left", d.attemptsLeft()));
        Problems.send(ctx, 422, "code-incorrect", d.attemptsLeft() > 0
            ? "The code is wrong; " + d.attemptsLeft() + " attempts left."
            : "The code is wrong and no attempts are left; enrol again.");
      }
      case AccountReply.ProofRefused p -> Problems.send(ctx, 403, p.reason(), "proof-required".equals(p.reason())
          ? "Changing this needs 'code' (the app's current code or a recovery code) or 'verification_id' (a recent approved verification)."
          : "The proof is not valid: wrong or used code, or a verification that is not a recent approval of this account.");
      case AccountReply.Locked l -> {
        ctx.response().putHeader("retry-after", Long.toString(l.retryAfterSeconds()));
        Problems.send(ctx, 429, "account-locked", "Too many wrong codes; retry after " + l.retryAfterSeconds() + " s.");
      }
      case AccountReply.NotFound n -> Problems.send(ctx, 404, "factor-not-found", "No such factor.");
      case AccountReply.Rejected r -> Problems.send(ctx, switch (r.errorCode()) {
        case "unknown-tenant" -> 500;
        case "factor-exists", "factor-limit", "device-limit", "confirmation-expired" -> 409;
        default -> 400;
      }, r.errorCode(), r.detail());
      case AccountReply.Unavailable u -> unavailable(ctx);
    }
  }

  private static AccountView.Factor find(AccountView view, String id) {
    return PlatformCalls.find(view, id);
  }

  private static JsonObject factorJson(AccountView view, String id) {
    AccountView.Factor f = find(view, id);
    return f == null ? new JsonObject() : new JsonObject(Json.writeString(f));
  }

  private static JsonObject deviceJson(AccountView view, String id) {
    return factorJson(view, id);
  }

  private static void unavailable(RoutingContext ctx) {
    Problems.send(ctx, 503, "platform-unavailable", "The platform cannot serve this request right now; retry later.");
  }


  private static String urlPath(String account) {
    return PlatformCalls.encode(account);
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }
}
