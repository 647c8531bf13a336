package io.otpflow.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Firebase Cloud Messaging over real HTTP, for tests of a real client: Google's OAuth2 token
 * endpoint for service accounts and the FCM HTTP v1 send endpoint.
 *
 * <ul>
 *   <li>{@code POST /token} takes the JWT-bearer grant and checks the assertion as Google does: RS256,
 *       signature against the service account's public key (the fake made the key pair and hands out
 *       the key file, {@link #serviceAccountJson()}), {@code kid}, {@code iss} = client_email, {@code
 *       aud} = the token URL, the FCM scope, {@code iat}/{@code exp} current and at most an hour
 *       apart. It answers {@code access_token} and {@code expires_in}, or 400 {@code invalid_grant}.
 *   <li>{@code POST /v1/projects/{project}/messages:send} wants {@code Authorization: Bearer} with a
 *       token it issued and has not expired (else 401 UNAUTHENTICATED), its own project (else 403
 *       PERMISSION_DENIED), and a v1 {@code message}: exactly one target, known fields only, data
 *       values strings, android priority and ttl well formed (else 400 INVALID_ARGUMENT with a
 *       BadRequest field violation, as FCM). Tokens {@link #markUnregistered} get 404 NOT_FOUND with
 *       FcmError UNREGISTERED, {@link #markInvalid} ones 400 INVALID_ARGUMENT; scripted 429/500/503
 *       come with FCM's bodies and a Retry-After when asked ({@link #failNext}). Accepted messages get
 *       {@code {"name": "projects/{project}/messages/..."}}.
 * </ul>
 *
 * <p>Accepted messages are recorded ({@link #messages()}), every send request with its answer
 * ({@link #requests()}). Thread-safe.
 */
public final class FakeFcm implements AutoCloseable {
  public static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  private static final Pattern SEND_PATH = Pattern.compile("^/v1/projects/([^/]+)/messages:send$");
  private static final Pattern TTL = Pattern.compile("^\\d+(\\.\\d{1,9})?s$");
  private static final Set<String> MESSAGE_FIELDS =
      Set.of("name", "data", "notification", "android", "webpush", "apns", "fcm_options", "token", "topic", "condition");
  private static final Set<String> NOTIFICATION_FIELDS = Set.of("title", "body", "image");
  private static final Set<String> ANDROID_FIELDS = Set.of("collapse_key", "priority", "ttl", "restricted_package_name",
      "data", "notification", "fcm_options", "direct_boot_ok");
  private static final Set<String> ANDROID_NOTIFICATION_FIELDS = Set.of("title", "body", "icon", "color", "sound",
      "tag", "click_action", "body_loc_key", "body_loc_args", "title_loc_key", "title_loc_args", "channel_id", "ticker",
      "sticky", "event_time", "local_only", "notification_priority", "default_sound", "default_vibrate_timings",
      "default_light_settings", "vibrate_timings", "visibility", "notification_count", "light_settings", "image");
  private static final Set<String> APNS_FIELDS = Set.of("headers", "payload", "fcm_options");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A message FCM accepted: its v1 {@code message} object as sent. */
  public record ReceivedMessage(String name, String token, JsonObject message, Instant receivedAt) {}

  /** One send request: the target token (if readable), the HTTP status answered, when. */
  public record Request(String token, int status, Instant at) {}

  private record Failure(int status, Integer retryAfterSeconds) {}

  private final String projectId;
  private final String clientEmail;
  private final String privateKeyId;
  private final KeyPair keys;
  private final Vertx vertx;
  private final HttpServer server;
  private final int port;
  private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
  private final Set<String> unregistered = ConcurrentHashMap.newKeySet();
  private final Set<String> invalid = ConcurrentHashMap.newKeySet();
  private final Map<String, Deque<Failure>> failures = new HashMap<>();
  private final List<ReceivedMessage> messages = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private volatile Duration accessTokenLifetime = Duration.ofSeconds(3599);

  private FakeFcm(String projectId) {
    this.projectId = projectId;
    this.clientEmail = "otpflow-push@" + projectId + ".iam.gserviceaccount.com";
    this.privateKeyId = HexFormat.of().formatHex(randomBytes(20));
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      this.keys = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
      router.post("/token").handler(this::token);
      router.route().handler(this::send);
      this.server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      this.port = server.actualPort();
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("FakeFcm could not start", e);
    }
  }

  /** Starts on a random port of 127.0.0.1 for the Firebase project {@code projectId}. */
  public static FakeFcm start(String projectId) {
    return new FakeFcm(projectId);
  }

  /** The API base URL ({@code http://127.0.0.1:<port>}), as FCM_API_BASE_URL. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public String tokenUrl() {
    return baseUrl() + "/token";
  }

  public String projectId() {
    return projectId;
  }

  public String clientEmail() {
    return clientEmail;
  }

  /** A service account key file whose key this server trusts and whose token_uri is this server. */
  public String serviceAccountJson() {
    return serviceAccountJson(keys);
  }

  /** The same account with another key: its assertions must be refused. */
  public String serviceAccountJsonWithForeignKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return serviceAccountJson(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String serviceAccountJson(KeyPair pair) {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return new JsonObject()
        .put("type", "service_account")
        .put("project_id", projectId)
        .put("private_key_id", privateKeyId)
        .put("private_key", pem)
        .put("client_email", clientEmail)
        .put("client_id", "100000000000000000001")
        .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
        .put("token_uri", tokenUrl())
        .encodePrettily();
  }

  /** A new registration token, as an app instance would get one. */
  public String newRegistrationToken() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(24)) + ":APA91b"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(96));
  }

  /** Sends to {@code token} are answered 404 NOT_FOUND / UNREGISTERED from now on (the app was removed). */
  public void markUnregistered(String token) {
    unregistered.add(token);
  }

  /** Sends to {@code token} are answered 400 INVALID_ARGUMENT: not a valid registration token. */
  public void markInvalid(String token) {
    invalid.add(token);
  }

  /**
   * The next {@code count} sends to {@code token} (any token when null), once authenticated, are
   * answered {@code status} with FCM's error body: 429 QUOTA_EXCEEDED, 503 UNAVAILABLE, 403
   * SENDER_ID_MISMATCH, anything else 500 INTERNAL; with Retry-After when given.
   */
  public void failNext(String token, int count, int status, Integer retryAfterSeconds) {
    synchronized (failures) {
      Deque<Failure> queue = failures.computeIfAbsent(token == null ? "*" : token, t -> new ArrayDeque<>());
      for (int i = 0; i < count; i++) {
        queue.addLast(new Failure(status, retryAfterSeconds));
      }
    }
  }

  /** How long the access tokens issued from now on live (expires_in). */
  public void accessTokenLifetime(Duration lifetime) {
    accessTokenLifetime = lifetime;
  }

  /** Revokes every access token issued so far: the next send with one is 401. */
  public void revokeAccessTokens() {
    accessTokens.clear();
  }

  /** Token endpoint requests, successful or not. */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  public List<ReceivedMessage> messages() {
    return List.copyOf(messages);
  }

  public List<ReceivedMessage> messagesTo(String token) {
    return messages.stream().filter(m -> m.token().equals(token)).toList();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  public List<Request> requestsFor(String token) {
    return requests.stream().filter(r -> token.equals(r.token())).toList();
  }

  /** Forgets messages, requests and scripted failures; tokens and their marks stay. */
  public void reset() {
    synchronized (failures) {
      failures.clear();
    }
    messages.clear();
    requests.clear();
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("FakeFcm did not stop cleanly", e);
    }
  }

  // --- OAuth2 ------------------------------------------------------------------------------------

  private void token(RoutingContext ctx) {
    tokenRequests.incrementAndGet();
    String grant = ctx.request().getFormAttribute("grant_type");
    String assertion = ctx.request().getFormAttribute("assertion");
    if (!GRANT_TYPE.equals(grant)) {
      oauthError(ctx, "unsupported_grant_type", "Invalid grant_type: " + grant);
      return;
    }
    String problem = assertion == null ? "Missing assertion." : checkAssertion(assertion);
    if (problem != null) {
      oauthError(ctx, "invalid_grant", problem);
      return;
    }
    String accessToken = "ya29.fake-" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    Duration lifetime = accessTokenLifetime;
    accessTokens.put(accessToken, Instant.now().plus(lifetime));
    json(ctx, 200, new JsonObject().put("access_token", accessToken).put("expires_in", lifetime.toSeconds())
        .put("token_type", "Bearer"));
  }

  /** Null when the JWT is one Google would take, else why not. */
  private String checkAssertion(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return "Invalid JWT: not header.payload.signature.";
    }
    JsonObject header;
    JsonObject claims;
    try {
      Base64.Decoder b64 = Base64.getUrlDecoder();
      header = new JsonObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
      claims = new JsonObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(keys.getPublic());
      rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!"RS256".equals(header.getString("alg"))) {
        return "Invalid JWT: alg must be RS256.";
      }
      if (!rsa.verify(b64.decode(parts[2]))) {
        return "Invalid JWT Signature.";
      }
    } catch (IllegalArgumentException | DecodeException | ClassCastException | GeneralSecurityException e) {
      return "Invalid JWT: " + e.getClass().getSimpleName();
    }
    if (header.getValue("kid") != null && !privateKeyId.equals(header.getValue("kid"))) {
      return "Invalid JWT: unknown kid.";
    }
    if (!clientEmail.equals(claims.getValue("iss"))) {
      return "Invalid JWT: iss is not the service account.";
    }
    if (!tokenUrl().equals(claims.getValue("aud"))) {
      return "Invalid JWT: aud must be the token URL.";
    }
    Object scope = claims.getValue("scope");
    if (!(scope instanceof String s) || !List.of(s.split(" ")).contains(SCOPE)) {
      return "Invalid JWT: the scope does not include " + SCOPE + ".";
    }
    if (!(claims.getValue("iat") instanceof Number iat) || !(claims.getValue("exp") instanceof Number exp)) {
      return "Invalid JWT: iat and exp are required.";
    }
    long now = Instant.now().getEpochSecond();
    if (iat.longValue() > now + 300 || exp.longValue() <= now || exp.longValue() - iat.longValue() > 3600) {
      return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
    }
    return null;
  }

  private static void oauthError(RoutingContext ctx, String error, String description) {
    json(ctx, 400, new JsonObject().put("error", error).put("error_description", description));
  }

  // --- FCM v1 send -------------------------------------------------------------------------------

  private void send(RoutingContext ctx) {
    Matcher path = SEND_PATH.matcher(ctx.request().path());
    if (!path.matches() || ctx.request().method() != io.vertx.core.http.HttpMethod.POST) {
      fcmError(ctx, 404, "NOT_FOUND", "The requested URL was not found on this server.", null, null);
      return;
    }
    JsonObject message = null;
    String token = null;
    try {
      JsonObject body = ctx.body().asJsonObject();
      message = body == null ? null : body.getJsonObject("message");
      token = message == null ? null : message.getString("token");
    } catch (DecodeException | ClassCastException e) {
      message = null;
    }
    String authorization = ctx.request().getHeader("Authorization");
    String bearer = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    Instant expires = bearer == null ? null : accessTokens.get(bearer);
    if (expires == null || !Instant.now().isBefore(expires)) {
      answer(ctx, token, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2"
          + " access token, login cookie or other valid authentication credential.", null, null);
      return;
    }
    if (!path.group(1).equals(projectId)) {
      answer(ctx, token, 403, "PERMISSION_DENIED",
          "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/"
              + path.group(1) + "' (or it may not exist).", null, null);
      return;
    }
    if (message == null) {
      answer(ctx, token, 400, "INVALID_ARGUMENT", "Invalid JSON payload received: a \"message\" object is required.",
          null, badRequest("message", "required"));
      return;
    }
    Failure scripted = nextFailure(token);
    if (scripted != null) {
      if (scripted.retryAfterSeconds() != null) {
        ctx.response().putHeader("Retry-After", Integer.toString(scripted.retryAfterSeconds()));
      }
      switch (scripted.status()) {
        case 429 -> answer(ctx, token, 429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests'.",
            "QUOTA_EXCEEDED", null);
        case 503 -> answer(ctx, token, 503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE", null);
        case 403 -> answer(ctx, token, 403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH", null);
        default -> answer(ctx, token, scripted.status(), "INTERNAL", "Internal error encountered.", "INTERNAL", null);
      }
      return;
    }
    String[] violation = violation(message);
    if (violation != null) {
      answer(ctx, token, 400, "INVALID_ARGUMENT", violation[1], null, badRequest(violation[0], violation[1]));
      return;
    }
    if (unregistered.contains(token)) {
      answer(ctx, token, 404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED", null);
      return;
    }
    if (invalid.contains(token)) {
      answer(ctx, token, 400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token",
          "INVALID_ARGUMENT", null);
      return;
    }
    String name = "projects/" + projectId + "/messages/0:" + System.currentTimeMillis() + "%"
        + HexFormat.of().formatHex(randomBytes(8));
    messages.add(new ReceivedMessage(name, token, message.copy(), Instant.now()));
    requests.add(new Request(token, 200, Instant.now()));
    json(ctx, 200, new JsonObject().put("name", name));
  }

  private Failure nextFailure(String token) {
    synchronized (failures) {
      Deque<Failure> own = token == null ? null : failures.get(token);
      if (own != null && !own.isEmpty()) {
        return own.pollFirst();
      }
      Deque<Failure> any = failures.get("*");
      return any == null ? null : any.pollFirst();
    }
  }

  /** The first thing FCM would refuse in the message, as {field, description}, or null. */
  private static String[] violation(JsonObject m) {
    String[] unknown = unknownField("message", m, MESSAGE_FIELDS);
    if (unknown != null) {
      return unknown;
    }
    int targets = (m.containsKey("token") ? 1 : 0) + (m.containsKey("topic") ? 1 : 0) + (m.containsKey("condition") ? 1 : 0);
    if (targets != 1) {
      return new String[] {"message", "Exactly one of token, topic or condition must be specified."};
    }
    if (m.containsKey("token") && (!(m.getValue("token") instanceof String t) || t.isBlank())) {
      return new String[] {"message.token", "The registration token must be a non-empty string."};
    }
    if (m.containsKey("notification")) {
      if (!(m.getValue("notification") instanceof JsonObject n)) {
        return new String[] {"message.notification", "Invalid value (notification must be an object)."};
      }
      String[] bad = unknownField("message.notification", n, NOTIFICATION_FIELDS);
      if (bad != null || !stringsOnly(n)) {
        return bad != null ? bad : new String[] {"message.notification", "Invalid value (TYPE_STRING expected)."};
      }
    }
    if (m.containsKey("data")) {
      String[] bad = data("message.data", m.getValue("data"));
      if (bad != null) {
        return bad;
      }
    }
    if (m.containsKey("android")) {
      if (!(m.getValue("android") instanceof JsonObject a)) {
        return new String[] {"message.android", "Invalid value (android must be an object)."};
      }
      String[] bad = unknownField("message.android", a, ANDROID_FIELDS);
      if (bad != null) {
        return bad;
      }
      if (a.containsKey("priority") && !List.of("NORMAL", "HIGH").contains(String.valueOf(a.getValue("priority")))) {
        return new String[] {"message.android.priority", "Invalid value at 'message.android.priority' (TYPE_ENUM)."};
      }
      if (a.containsKey("ttl") && !(a.getValue("ttl") instanceof String ttl && TTL.matcher(ttl).matches())) {
        return new String[] {"message.android.ttl", "Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration)."};
      }
      if (a.containsKey("collapse_key") && !(a.getValue("collapse_key") instanceof String)) {
        return new String[] {"message.android.collapse_key", "Invalid value (TYPE_STRING expected)."};
      }
      if (a.containsKey("data") && data("message.android.data", a.getValue("data")) != null) {
        return data("message.android.data", a.getValue("data"));
      }
      if (a.containsKey("notification")) {
        if (!(a.getValue("notification") instanceof JsonObject n)) {
          return new String[] {"message.android.notification", "Invalid value (must be an object)."};
        }
        String[] badNotification = unknownField("message.android.notification", n, ANDROID_NOTIFICATION_FIELDS);
        if (badNotification != null) {
          return badNotification;
        }
      }
    }
    if (m.containsKey("apns")) {
      if (!(m.getValue("apns") instanceof JsonObject a)) {
        return new String[] {"message.apns", "Invalid value (apns must be an object)."};
      }
      String[] bad = unknownField("message.apns", a, APNS_FIELDS);
      if (bad != null) {
        return bad;
      }
      if (a.containsKey("headers") && !(a.getValue("headers") instanceof JsonObject h && stringsOnly(h))) {
        return new String[] {"message.apns.headers", "Invalid value: apns headers must be a map of strings."};
      }
      if (a.containsKey("payload") && !(a.getValue("payload") instanceof JsonObject)) {
        return new String[] {"message.apns.payload", "Invalid value: the apns payload must be an object."};
      }
    }
    return null;
  }

  private static String[] data(String field, Object value) {
    if (!(value instanceof JsonObject data)) {
      return new String[] {field, "Invalid value at '" + field + "': data must be a map."};
    }
    for (String key : data.fieldNames()) {
      if (!(data.getValue(key) instanceof String)) {
        return new String[] {field + "[" + key + "].value", "Invalid value at '" + field + "[" + key + "].value' (TYPE_STRING)"};
      }
      if (key.equals("from") || key.startsWith("google") || key.startsWith("gcm") || key.equals("message_type")
          || key.equals("collapse_key")) {
        return new String[] {field, "Invalid data payload key: " + key};
      }
    }
    return null;
  }

  private static String[] unknownField(String where, JsonObject object, Set<String> known) {
    for (String key : object.fieldNames()) {
      if (!known.contains(key)) {
        return new String[] {where, "Invalid JSON payload received. Unknown name \"" + key + "\" at '" + where
            + "': Cannot find field."};
      }
    }
    return null;
  }

  private static boolean stringsOnly(JsonObject object) {
    return object.stream().allMatch(e -> e.getValue() instanceof String);
  }

  private static JsonObject badRequest(String field, String description) {
    return new JsonObject().put("@type", "type.googleapis.com/google.rpc.BadRequest")
        .put("fieldViolations", new JsonArray().add(new JsonObject().put("field", field).put("description", description)));
  }

  private void answer(RoutingContext ctx, String token, int status, String grpcStatus, String message, String fcmCode,
      JsonObject extraDetail) {
    requests.add(new Request(token, status, Instant.now()));
    fcmError(ctx, status, grpcStatus, message, fcmCode, extraDetail);
  }

  private static void fcmError(RoutingContext ctx, int status, String grpcStatus, String message, String fcmCode,
      JsonObject extraDetail) {
    JsonArray details = new JsonArray();
    if (fcmCode != null) {
      details.add(new JsonObject().put("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError")
          .put("errorCode", fcmCode));
    }
    if (extraDetail != null) {
      details.add(extraDetail);
    }
    JsonObject error = new JsonObject().put("code", status).put("message", message).put("status", grpcStatus);
    if (!details.isEmpty()) {
      error.put("details", details);
    }
    json(ctx, status, new JsonObject().put("error", error));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=UTF-8").end(body.encode());
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
