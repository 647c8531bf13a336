package io.otpflow.push.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.otpflow.common.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * OAuth2 access tokens for the FCM API from a service account: a JWT assertion signed with the
 * account's key (RS256, JDK crypto) is exchanged at the token endpoint ("JWT bearer" grant), and the
 * access token is kept until shortly before it expires, so one token serves every push of its hour.
 * One caller fetches while the others wait for its result, never a stampede of fetches.
 */
final class FcmAccessTokens {
  static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  /** Google accepts assertions valid for at most an hour. */
  private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);
  /** Refresh this long before the token's own expiry, so no push goes out with a token about to lapse. */
  private static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

  /** A token, or why there is none: the sender answers with that outcome. */
  sealed interface Result {}

  record Token(String value) implements Result {}

  record Failure(PushOutcome outcome) implements Result {}

  private record Cached(String value, Instant refreshAt) {}

  private final FcmConfig config;
  private final HttpClient http;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Cached cached;

  FcmAccessTokens(FcmConfig config, HttpClient http, Clock clock) {
    this.config = config;
    this.http = http;
    this.clock = clock;
  }

  Result current() {
    Cached c = cached;
    if (c != null && clock.instant().isBefore(c.refreshAt())) {
      return new Token(c.value());
    }
    lock.lock();
    try {
      c = cached;
      if (c != null && clock.instant().isBefore(c.refreshAt())) {
        return new Token(c.value());
      }
      return fetch();
    } finally {
      lock.unlock();
    }
  }

  /** FCM refused the token (401): forget it, so the next push fetches a new one. */
  void invalidate(String value) {
    Cached c = cached;
    if (c != null && c.value().equals(value)) {
      cached = null;
    }
  }

  private Result fetch() {
    String form = "grant_type=" + URLEncoder.encode(GRANT_TYPE, StandardCharsets.UTF_8)
        + "&assertion=" + URLEncoder.encode(assertion(clock.instant()), StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(config.tokenUrl())
        .timeout(config.requestTimeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Failure(new PushOutcome.Retryable("the OAuth2 token endpoint is unreachable (" + e.getClass().getSimpleName()
          + ")", null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failure(new PushOutcome.Retryable("interrupted while fetching an access token", null));
    }
    int status = response.statusCode();
    JsonNode body = parse(response.body());
    if (status == 200 && body.path("access_token").isTextual() && !body.path("access_token").asText().isBlank()) {
      long seconds = body.path("expires_in").asLong(3600);
      Instant now = clock.instant();
      Duration lifetime = Duration.ofSeconds(Math.max(1, seconds));
      // Short-lived tokens are refreshed at half their life; the usual hour-long ones five minutes early.
      Duration margin = lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) > 0 ? REFRESH_MARGIN : lifetime.dividedBy(2);
      cached = new Cached(body.path("access_token").asText(), now.plus(lifetime).minus(margin));
      return new Token(cached.value());
    }
    String error = body.path("error").asText("HTTP_" + status);
    if (status == 429 || status >= 500) {
      return new Failure(new PushOutcome.Retryable("the OAuth2 token endpoint answered " + status + " " + error,
          FcmPushSender.retryAfter(response)));
    }
    // invalid_grant, invalid_client, unauthorized_client: the key or the account is wrong or revoked.
    return new Failure(new PushOutcome.Permanent("oauth2-" + error, "the OAuth2 token endpoint refused the service"
        + " account's assertion (" + status + " " + error + ")"));
  }

  /** header.claims.signature, base64url without padding, signed SHA256withRSA with the account's key. */
  String assertion(Instant now) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "RS256");
    header.put("typ", "JWT");
    header.put("kid", config.account().privateKeyId());
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", config.account().clientEmail());
    claims.put("scope", SCOPE);
    claims.put("aud", config.tokenUrl().toString());
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput = b64.encodeToString(Json.write(header)) + "." + b64.encodeToString(Json.write(claims));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(config.account().privateKey());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RS256 signing failed.", e);
    }
  }

  private static JsonNode parse(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body == null ? "" : body);
      return node == null ? Json.MAPPER.createObjectNode() : node;
    } catch (IOException e) {
      return Json.MAPPER.createObjectNode();
    }
  }
}
