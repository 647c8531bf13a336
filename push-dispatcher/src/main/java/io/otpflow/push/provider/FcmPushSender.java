package io.otpflow.push.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.otpflow.common.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends through Firebase Cloud Messaging's HTTP v1 API ({@code POST /v1/projects/{project}/messages:send})
 * with a java.net.http client and an OAuth2 access token from {@link FcmAccessTokens}, and turns every
 * answer into a {@link PushOutcome}:
 *
 * <ul>
 *   <li>200: accepted, with the message name FCM gives;
 *   <li>UNREGISTERED (404), INVALID_ARGUMENT about the registration token, and a bare NOT_FOUND once
 *       a push has been accepted (before that a 404 may be a wrong project): dead token;
 *   <li>401 UNAUTHENTICATED: retryable, with the access token dropped so the next attempt fetches a new one;
 *   <li>429, 500, 502, 503, 504, timeouts, no connection: retryable, with the answer's Retry-After;
 *   <li>anything else (SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR, other INVALID_ARGUMENT): permanent.
 * </ul>
 *
 * <p>A push is a notification message with the app's keys as data, android priority HIGH, ttl = the
 * time left, collapse_key and notification tag = verification id (a later message replaces it), and
 * apns headers for iOS devices registered through FCM. A withdrawal is a data message under the same
 * collapse key that the app uses to cancel the notification with that tag.
 */
public final class FcmPushSender implements PushSender {
  public static final String PROVIDER = "fcm";
  private static final String FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
  private static final String BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";

  private final FcmConfig config;
  private final HttpClient http;
  private final FcmAccessTokens tokens;
  private final Clock clock;
  private final AtomicBoolean proven = new AtomicBoolean();

  public FcmPushSender(FcmConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.tokens = new FcmAccessTokens(config, http, clock);
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public PushOutcome send(PushMessage message) {
    String accessToken;
    switch (tokens.current()) {
      case FcmAccessTokens.Token t -> accessToken = t.value();
      case FcmAccessTokens.Failure f -> {
        return f.outcome();
      }
    }
    HttpRequest request = HttpRequest.newBuilder(config.sendUrl())
        .timeout(config.requestTimeout())
        .header("Authorization", "Bearer " + accessToken)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(Map.of("message", message(message, clock.instant())))))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      return new PushOutcome.Retryable("FCM did not answer within " + config.requestTimeout().toMillis() + " ms", null);
    } catch (IOException e) {
      return new PushOutcome.Retryable("FCM unreachable (" + e.getClass().getSimpleName() + ")", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PushOutcome.Retryable("interrupted while waiting for FCM", null);
    }
    return classify(response, accessToken);
  }

  private PushOutcome classify(HttpResponse<String> response, String accessToken) {
    int status = response.statusCode();
    JsonNode body = parse(response.body());
    if (status == 200) {
      String name = body.path("name").asText("");
      if (name.isBlank()) {
        // FCM took it but its answer is unreadable: sending again could notify twice, so do not.
        return new PushOutcome.Permanent("unreadable-answer", "FCM answered 200 without a message name");
      }
      proven.set(true);
      return new PushOutcome.Accepted(name.length() > 128 ? name.substring(name.length() - 128) : name);
    }
    JsonNode error = body.path("error");
    String grpcStatus = error.path("status").asText("HTTP_" + status);
    String fcmCode = null;
    boolean aboutToken = false;
    for (JsonNode detail : error.path("details")) {
      String type = detail.path("@type").asText();
      if (FCM_ERROR.equals(type) && detail.path("errorCode").isTextual()) {
        fcmCode = detail.path("errorCode").asText();
      } else if (BAD_REQUEST.equals(type)) {
        for (JsonNode violation : detail.path("fieldViolations")) {
          aboutToken |= "message.token".equals(violation.path("field").asText());
        }
      }
    }
    String word = fcmCode != null ? fcmCode : grpcStatus;
    String what = "FCM answered " + status + " " + word;
    if ("UNREGISTERED".equals(fcmCode)) {
      return new PushOutcome.DeadToken(fcmCode, "FCM: the app instance was unregistered");
    }
    if ("INVALID_ARGUMENT".equals(grpcStatus)
        && (aboutToken || error.path("message").asText().toLowerCase(java.util.Locale.ROOT).contains("registration token"))) {
      return new PushOutcome.DeadToken("INVALID_ARGUMENT", "FCM: not a valid registration token");
    }
    if ((status == 404 || "NOT_FOUND".equals(grpcStatus)) && fcmCode == null && proven.get()) {
      return new PushOutcome.DeadToken("NOT_FOUND", "FCM: the registration token was not found");
    }
    if (status == 401 && !"THIRD_PARTY_AUTH_ERROR".equals(fcmCode)) {
      tokens.invalidate(accessToken);
      return new PushOutcome.Retryable(what + ": the access token was refused; a new one will be fetched", null);
    }
    if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
      return new PushOutcome.Retryable(what, retryAfter(response));
    }
    return new PushOutcome.Permanent(word, what);
  }

  /** The v1 message for one device (the request's {@code message} object). */
  static Map<String, Object> message(PushMessage m, Instant now) {
    long ttlSeconds = Math.max(0, Duration.between(now, m.expiresAt()).toSeconds());
    Map<String, Object> android = new LinkedHashMap<>();
    android.put("priority", "HIGH");
    android.put("ttl", ttlSeconds + "s");
    android.put("collapse_key", m.collapseId());
    Map<String, String> apnsHeaders = new LinkedHashMap<>();
    apnsHeaders.put("apns-collapse-id", m.collapseId());
    apnsHeaders.put("apns-expiration", Long.toString(m.expiresAt().getEpochSecond()));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("token", m.token());
    Map<String, String> data = new LinkedHashMap<>(m.data());
    if (m.kind() == PushMessage.Kind.WITHDRAW) {
      // Data only: the app cancels the notification tagged with the verification id; title and text are for
      // an app that prefers to show what happened.
      data.put("title", m.title());
      data.put("body", m.body());
      apnsHeaders.put("apns-push-type", "background");
      apnsHeaders.put("apns-priority", "5");
      message.put("apns", Map.of("headers", apnsHeaders, "payload", Map.of("aps", Map.of("content-available", 1))));
    } else {
      message.put("notification", Map.of("title", m.title(), "body", m.body()));
      android.put("notification", Map.of("tag", m.collapseId()));
      apnsHeaders.put("apns-push-type", "alert");
      apnsHeaders.put("apns-priority", "10");
      message.put("apns", Map.of("headers", apnsHeaders));
    }
    message.put("data", data);
    message.put("android", android);
    return message;
  }

  /** Seconds or an HTTP date; absent, unreadable or past values are null or zero. */
  static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse(null);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException notDate) {
        return null;
      }
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

  @Override
  public void close() {
    http.close();
  }
}
