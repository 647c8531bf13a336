package io.otpflow.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for Twilio's Messages API, over real HTTP, for tests that run the real SDK.
 *
 * <p>Serves {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json} with a form body (To, From
 * or MessagingServiceSid, Body, StatusCallback, ValidityPeriod …) the way Twilio does:
 *
 * <ul>
 *   <li>HTTP Basic auth with the account SID and auth token it was started with, else 401 / 20003;
 *       a path account other than the authenticated one is 404 / 20404;
 *   <li>To required (21604) and E.164 (21211), From or MessagingServiceSid required (21603), Body
 *       required (21602) and at most 1600 characters (21617), ValidityPeriod within 1..36000 (90007);
 *   <li>201 with a message resource shaped like Twilio's (sid "SM" + 32 hex, status "queued", to,
 *       from, body, date_created in RFC 2822 …);
 *   <li>errors as Twilio's JSON: {@code {"code", "message", "more_info", "status"}}.
 * </ul>
 *
 * <p>Accepted messages are recorded ({@link #messages()}); every request, failed or not, is counted
 * ({@link #requestCount()}). Failures can be scripted ({@link #failNext}), answers delayed ({@link
 * #latency}), and delivery receipts sent back to a message's StatusCallback with a valid {@code
 * X-Twilio-Signature} ({@link #sendStatusCallback}). Thread-safe.
 */
public final class FakeTwilio implements AutoCloseable {

  /** One message Twilio would have queued. {@code params} holds every form parameter sent. */
  public record ReceivedSms(
      String sid,
      String to,
      String from,
      String body,
      String statusCallback,
      String messagingServiceSid,
      Integer validityPeriod,
      String accountSid,
      Instant receivedAt,
      Map<String, String> params) {
    public ReceivedSms {
      params = Map.copyOf(params);
    }
  }

  /** A scripted answer for one request. */
  private record Failure(int httpStatus, Integer twilioErrorCode, Integer retryAfterSeconds) {}

  public static final String API_VERSION = "2010-04-01";
  private static final Pattern MESSAGES_PATH =
      Pattern.compile("^/2010-04-01/Accounts/([^/]+)/Messages\\.json$");
  private static final Pattern E164 = Pattern.compile("^\\+[1-9]\\d{6,14}$");
  private static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_BODY_CHARS = 1600;

  private final String accountSid;
  private final String authToken;
  private final Vertx vertx;
  private final HttpServer server;
  private final HttpClientAgent callbackClient;
  private final int port;
  private final List<ReceivedSms> messages = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong latencyMillis = new AtomicLong();
  private final Deque<Failure> failures = new ArrayDeque<>();
  private volatile Consumer<ReceivedSms> listener;

  private FakeTwilio(String accountSid, String authToken) {
    this.accountSid = requireText(accountSid, "accountSid");
    this.authToken = requireText(authToken, "authToken");
    this.vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create(false).setBodyLimit(256 * 1024));
      router.route().handler(this::handle);
      this.server =
          vertx.createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      this.port = server.actualPort();
      this.callbackClient = vertx.createHttpClient();
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("FakeTwilio could not start", e);
    }
  }

  /** Starts on a random port with a random account SID and auth token. */
  public static FakeTwilio start() {
    return start(randomSid("AC"), HexFormat.of().formatHex(randomBytes(16)));
  }

  /** Starts on a random port, accepting these credentials only. */
  public static FakeTwilio start(String accountSid, String authToken) {
    return new FakeTwilio(accountSid, authToken);
  }

  /** {@code http://127.0.0.1:<port>}: the API base URL to give the client under test. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public String accountSid() {
    return accountSid;
  }

  public String authToken() {
    return authToken;
  }

  /** Accepted messages, oldest first (a snapshot). */
  public List<ReceivedSms> messages() {
    return List.copyOf(messages);
  }

  /** The newest accepted message, if any. */
  public Optional<ReceivedSms> lastMessage() {
    List<ReceivedSms> all = messages();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Every request received, including refused and failed ones. */
  public int requestCount() {
    return requests.get();
  }

  /**
   * Makes the next {@code count} requests answer {@code httpStatus} instead of being handled. With a
   * {@code twilioErrorCode} the body is Twilio's JSON error; without one it is a plain-text page, as
   * from a load balancer. With {@code retryAfterSeconds} a Retry-After header is added. Examples:
   * {@code failNext(1, 429, 20429, 2)}, {@code failNext(2, 500, null, null)}, {@code failNext(1,
   * 400, 21610, null)}.
   */
  public void failNext(int count, int httpStatus, Integer twilioErrorCode, Integer retryAfterSeconds) {
    if (count < 0 || httpStatus < 100 || httpStatus > 599) {
      throw new IllegalArgumentException("count >= 0 and an HTTP status, got " + count + ", " + httpStatus);
    }
    synchronized (failures) {
      for (int i = 0; i < count; i++) {
        failures.addLast(new Failure(httpStatus, twilioErrorCode, retryAfterSeconds));
      }
    }
  }

  /**
   * Hands every accepted message to {@code listener} (on the server's event loop, before the answer)
   * instead of keeping it in {@link #messages()}: for long runs such as the benchmark, where a kept
   * list would grow without bound. Null goes back to keeping them.
   */
  public void streamTo(Consumer<ReceivedSms> listener) {
    this.listener = listener;
  }

  /** Delays every answer by {@code delay} (zero for none): for client timeouts. */
  public void latency(Duration delay) {
    latencyMillis.set(Math.max(0, delay.toMillis()));
  }

  /** Forgets messages, counts, scripted failures and latency. */
  public void reset() {
    synchronized (failures) {
      failures.clear();
    }
    messages.clear();
    requests.set(0);
    latencyMillis.set(0);
  }

  /**
   * POSTs a delivery receipt to the message's StatusCallback as Twilio does: form parameters
   * MessageSid, SmsSid, MessageStatus, SmsStatus, AccountSid, From, To, ApiVersion, plus ErrorCode
   * when given and MessagingServiceSid when the message had one; signed with {@code
   * X-Twilio-Signature}. Completes with the callback's HTTP status.
   *
   * @param status sent, delivered, undelivered or failed (anything else is passed on as is)
   * @param errorCode Twilio's error code for undelivered/failed (e.g. "30003"), or null
   */
  public CompletableFuture<Integer> sendStatusCallback(ReceivedSms message, String status, String errorCode) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(status, "status");
    if (message.statusCallback() == null || message.statusCallback().isBlank()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("message " + message.sid() + " has no StatusCallback"));
    }
    Map<String, String> params = statusCallbackParams(message, status, errorCode);
    String url = message.statusCallback();
    String form = formEncode(params);
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url)
            .putHeader("Content-Type", "application/x-www-form-urlencoded")
            .putHeader("X-Twilio-Signature", signature(authToken, url, params))
            .putHeader("I-Twilio-Idempotency-Token", UUID.randomUUID().toString())
            .putHeader("User-Agent", "TwilioProxy/1.1");
    return callbackClient
        .request(options)
        .compose(req -> req.send(Buffer.buffer(form, "UTF-8")))
        .compose(resp -> resp.body().map(ignored -> resp.statusCode()))
        .toCompletionStage()
        .toCompletableFuture();
  }

  /** The parameters {@link #sendStatusCallback} posts, in a fixed order. */
  public Map<String, String> statusCallbackParams(ReceivedSms message, String status, String errorCode) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", message.sid());
    params.put("SmsSid", message.sid());
    params.put("MessageStatus", status);
    params.put("SmsStatus", status);
    params.put("AccountSid", message.accountSid());
    if (message.from() != null) {
      params.put("From", message.from());
    }
    params.put("To", message.to());
    params.put("ApiVersion", API_VERSION);
    if (message.messagingServiceSid() != null) {
      params.put("MessagingServiceSid", message.messagingServiceSid());
    }
    if (errorCode != null) {
      params.put("ErrorCode", errorCode);
    }
    return params;
  }

  /**
   * Twilio's request signature: HMAC-SHA1 keyed with the auth token over the full URL followed by
   * each POST parameter's name and value, sorted by name; Base64.
   */
  public static String signature(String authToken, String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v == null ? "" : v));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("FakeTwilio did not stop cleanly", e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void handle(RoutingContext ctx) {
    requests.incrementAndGet();
    long delay = latencyMillis.get();
    if (delay > 0) {
      vertx.setTimer(delay, id -> answer(ctx));
    } else {
      answer(ctx);
    }
  }

  private void answer(RoutingContext ctx) {
    if (ctx.response().closed()) {
      return; // the client gave up while we were "slow"
    }
    Failure scripted;
    synchronized (failures) {
      scripted = failures.pollFirst();
    }
    if (scripted != null) {
      answerScripted(ctx, scripted);
      return;
    }
    HttpServerRequest req = ctx.request();
    var path = MESSAGES_PATH.matcher(req.path());
    if (!path.matches()) {
      error(ctx, 404, 20404, "The requested resource " + req.path() + " was not found");
      return;
    }
    if (req.method() != HttpMethod.POST) {
      error(ctx, 405, 20004, "Method not allowed");
      return;
    }
    if (!authenticated(req.getHeader("Authorization"))) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"Twilio API\"");
      JsonObject body = twilioError(401, 20003, "Authenticate")
          .put("detail", "Your AccountSid or AuthToken was incorrect.");
      send(ctx, 401, body);
      return;
    }
    if (!path.group(1).equals(accountSid)) {
      error(ctx, 404, 20404, "The requested resource " + req.path() + " was not found");
      return;
    }
    MultiMap form = req.formAttributes();
    String to = form.get("To");
    String from = blankToNull(form.get("From"));
    String service = blankToNull(form.get("MessagingServiceSid"));
    String body = form.get("Body");
    String callback = blankToNull(form.get("StatusCallback"));
    String validity = blankToNull(form.get("ValidityPeriod"));
    if (to == null || to.isBlank()) {
      error(ctx, 400, 21604, "A 'To' phone number is required.");
      return;
    }
    if (!E164.matcher(to).matches()) {
      error(ctx, 400, 21211, "The 'To' number " + to + " is not a valid phone number.");
      return;
    }
    if (from == null && service == null) {
      error(ctx, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
      return;
    }
    if (body == null || body.isEmpty()) {
      error(ctx, 400, 21602, "Message body is required.");
      return;
    }
    if (body.length() > MAX_BODY_CHARS) {
      error(ctx, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
      return;
    }
    Integer validityPeriod = null;
    if (validity != null) {
      try {
        validityPeriod = Integer.valueOf(validity);
      } catch (NumberFormatException e) {
        validityPeriod = -1;
      }
      if (validityPeriod < 1 || validityPeriod > 36_000) {
        // Twilio documents 90007 "Invalid validity period value" for values outside 1..36000.
        error(ctx, 400, 90007, "Invalid validity period value: " + validity);
        return;
      }
    }
    if (callback != null && !isAbsoluteHttpUrl(callback)) {
      error(ctx, 400, 21609, "Invalid StatusCallback url: " + callback);
      return;
    }
    Map<String, String> params = new LinkedHashMap<>();
    form.forEach(e -> params.putIfAbsent(e.getKey(), e.getValue()));
    String sid = randomSid("SM");
    Instant now = Instant.now();
    ReceivedSms sms =
        new ReceivedSms(sid, to, from, body, callback, service, validityPeriod, accountSid, now, params);
    Consumer<ReceivedSms> streamTo = listener;
    if (streamTo != null) {
      streamTo.accept(sms);
    } else {
      messages.add(sms);
    }
    send(ctx, 201, messageResource(sms));
  }

  private void answerScripted(RoutingContext ctx, Failure f) {
    if (f.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
    }
    if (f.twilioErrorCode() == null) {
      ctx.response()
          .setStatusCode(f.httpStatus())
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(f.httpStatus() + " scripted failure (FakeTwilio)");
      return;
    }
    send(ctx, f.httpStatus(), twilioError(f.httpStatus(), f.twilioErrorCode(), messageFor(f.twilioErrorCode(), ctx)));
  }

  private static String messageFor(int code, RoutingContext ctx) {
    return switch (code) {
      case 21211 -> "The 'To' number " + ctx.request().formAttributes().get("To") + " is not a valid phone number.";
      case 21610 -> "Attempt to send to unsubscribed recipient";
      case 21408 -> "Permission to send an SMS has not been enabled for the region indicated by the 'To' number";
      case 21614 -> "'To' number is not a valid mobile number";
      case 20003 -> "Authenticate";
      case 20429 -> "Too Many Requests";
      case 20500 -> "An internal server error has occurred";
      case 20503 -> "Service Unavailable";
      default -> "Scripted failure " + code;
    };
  }

  private JsonObject messageResource(ReceivedSms sms) {
    String created = RFC_2822.format(sms.receivedAt());
    String uri = "/2010-04-01/Accounts/" + accountSid + "/Messages/" + sms.sid();
    return new JsonObject()
        .put("account_sid", accountSid)
        .put("api_version", API_VERSION)
        .put("body", sms.body())
        .put("date_created", created)
        .put("date_sent", null)
        .put("date_updated", created)
        .put("direction", "outbound-api")
        .put("error_code", null)
        .put("error_message", null)
        .put("from", sms.from())
        .put("messaging_service_sid", sms.messagingServiceSid())
        .put("num_media", "0")
        .put("num_segments", Integer.toString(segments(sms.body())))
        .put("price", null)
        .put("price_unit", "USD")
        .put("sid", sms.sid())
        .put("status", "queued")
        .put("subresource_uris", new JsonObject().put("media", uri + "/Media.json"))
        .put("to", sms.to())
        .put("uri", uri + ".json");
  }

  private static int segments(String body) {
    // GSM-7 only, roughly: 160 characters in one segment, 153 per segment when concatenated.
    return body.length() <= 160 ? 1 : (body.length() + 152) / 153;
  }

  private boolean authenticated(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] presented;
    try {
      presented = Base64.getDecoder().decode(header.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, expected);
  }

  private static JsonObject twilioError(int status, int code, String message) {
    return new JsonObject()
        .put("code", code)
        .put("message", message)
        .put("more_info", "https://www.twilio.com/docs/errors/" + code)
        .put("status", status);
  }

  private static void error(RoutingContext ctx, int status, int code, String message) {
    send(ctx, status, twilioError(status, code, message));
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }

  private static boolean isAbsoluteHttpUrl(String url) {
    try {
      URI u = new URI(url);
      return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
          && u.getHost() != null;
    } catch (Exception e) {
      return false;
    }
  }

  private static String formEncode(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return sb.toString();
  }

  private static String randomSid(String prefix) {
    return prefix + HexFormat.of().formatHex(randomBytes(16));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String requireText(String s, String name) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return s;
  }
}
