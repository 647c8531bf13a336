package io.otpflow.launcher;

import static org.awaitility.Awaitility.await;

import io.otpflow.common.PlatformKeys;
import io.otpflow.testing.FakeApns;
import io.otpflow.testing.FakeFcm;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.ScratchDir;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole platform for end-to-end tests: every service in this JVM on a real Kafka broker and a
 * real Redis, SMS going to {@link FakeTwilio} over HTTP, push to {@link FakeApns} (pushy's
 * MockApnsServer over TLS) and {@link FakeFcm} (OAuth2 and the v1 API over HTTP), time from a
 * {@link MutableClock}, and a real HTTP client talking to the gateway.
 */
final class TestPlatform implements AutoCloseable {
  static final String ACME_KEY = "acme-test-key-0123456789";
  static final String OTHER_KEY = "other-test-key-0123456789";
  static final String LONG_CODE_KEY = "long-test-key-0123456789";
  static final String ACME_ADMIN_KEY = "acme-admin-key-0123456789";
  private static final Pattern CODE = Pattern.compile("code is (\\d+)");
  private static final AtomicInteger NUMBERS = new AtomicInteger(1000 + (int) (System.nanoTime() % 7000));

  static final String APNS_TOPIC = "dev.otpflow.authenticator";
  final FakeTwilio twilio;
  final FakeApns apns;
  final FakeFcm fcm;
  final MutableClock clock = new MutableClock(Instant.now());
  final Platform platform;
  final Map<String, String> env;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String gateway;
  /** The FCM key file and the outbox: deleted on {@link #close()}. */
  private final ScratchDir files = ScratchDir.create("otpflow-test-platform");

  private TestPlatform(String bootstrapServers, String redisUri, Map<String, String> overrides) throws Exception {
    twilio = FakeTwilio.start();
    apns = FakeApns.start(APNS_TOPIC);
    fcm = FakeFcm.start("otpflow-test");
    java.nio.file.Path fcmCredentials = files.resolve("fcm-service-account.json");
    java.nio.file.Files.writeString(fcmCredentials, fcm.serviceAccountJson());
    int gatewayPort = freePort();
    gateway = "http://127.0.0.1:" + gatewayPort;
    Map<String, String> e = new HashMap<>();
    e.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    e.put("KAFKA_PARTITIONS", "3");
    e.put("REDIS_URL", redisUri);
    e.put(PlatformKeys.CODE_MAC_KEY, Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes()));
    e.put(PlatformKeys.DISPATCH_KEYS, "t1:" + Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes()));
    e.put(PlatformKeys.FACTOR_KEYS, "f1:" + Base64.getEncoder().encodeToString("factor-key-factor-key-factor-key".getBytes()));
    e.put(PlatformKeys.ADDRESS_KEYS, "a1:" + Base64.getEncoder().encodeToString("address-key-address-key-address!".getBytes()));
    e.put("OTPFLOW_TENANTS", tenants());
    e.put("SMS_PROVIDER", "twilio");
    e.put("OTPFLOW_OUTBOX_FILE", files.resolve("outbox.jsonl").toString());
    e.put("PUSH_PROVIDER", "apns,fcm");
    e.put("APNS_KEY_FILE", apns.signingKeyFile().toString());
    e.put("APNS_KEY_ID", FakeApns.KEY_ID);
    e.put("APNS_TEAM_ID", FakeApns.TEAM_ID);
    e.put("APNS_TOPIC", APNS_TOPIC);
    e.put("APNS_ENVIRONMENT", "sandbox");
    e.put("APNS_HOST", apns.host());
    e.put("APNS_PORT", Integer.toString(apns.port()));
    e.put("APNS_TRUSTED_CERT_FILE", apns.trustedCertificateFile().toString());
    e.put("FCM_CREDENTIALS_FILE", fcmCredentials.toString());
    e.put("FCM_API_BASE_URL", fcm.baseUrl());
    e.put("TWILIO_ACCOUNT_SID", twilio.accountSid());
    e.put("TWILIO_AUTH_TOKEN", twilio.authToken());
    e.put("TWILIO_FROM_NUMBER", "+15005550006");
    e.put("TWILIO_API_BASE_URL", twilio.baseUrl());
    e.put("TWILIO_READ_TIMEOUT", "3s");
    e.put("OTPFLOW_HTTP_HOST", "127.0.0.1");
    e.put("OTPFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    e.put("OTPFLOW_PUBLIC_URL", gateway);
    e.put("OTPFLOW_STATUS_CALLBACK_URL", gateway + io.otpflow.gateway.api.TwilioWebhook.PATH);
    // Generous: on a machine loaded by another build, Argon2id work (recovery codes, passwords) can take
    // seconds, and a 503 there would be the machine's fault, not the platform's. OutageTest sets its own.
    e.put("OTPFLOW_REQUEST_TIMEOUT", "10s");
    e.putAll(overrides);
    env = Map.copyOf(e);
    platform = Platform.start(env, clock);
  }

  /** The tenants every test platform has, plus {@code extra} tenant objects (JSON, comma-separated). */
  static String tenants(String... extra) {
    StringBuilder more = new StringBuilder();
    for (String tenant : extra) {
      more.append(",\n ").append(tenant);
    }
    return """
        [{"id": "acme", "display_name": "Acme", "api_key": "%s", "code_length": 6, "code_ttl": "5m", "max_checks": 5,
          "sender": "+15005550006", "lockout": {"threshold": 3, "base_delay": "1m", "max_delay": "1h"},
          "limits": {"per_ip_per_hour": 3, "per_account_per_hour": 20}, "admin_api_key": "%s",
          "push": {"max_devices": 3, "max_unanswered": 3}},
         {"id": "other", "display_name": "Other Corp", "api_key": "%s"},
         {"id": "long", "display_name": "Long Codes", "api_key": "%s", "code_length": 10,
          "totp": {"algorithm": "SHA256", "digits": 8, "period": "60s"}}%s]
        """.formatted(ACME_KEY, ACME_ADMIN_KEY, OTHER_KEY, LONG_CODE_KEY, more);
  }

  static TestPlatform start(String bootstrapServers, String redisUri) throws Exception {
    return new TestPlatform(bootstrapServers, redisUri, Map.of());
  }

  static TestPlatform start(String bootstrapServers, String redisUri, Map<String, String> overrides) throws Exception {
    return new TestPlatform(bootstrapServers, redisUri, overrides);
  }

  /** A valid US number no other test in this run uses, so send limits of one test never touch another. */
  static String uniquePhone() {
    return "+1415555" + String.format("%04d", NUMBERS.incrementAndGet() % 10000);
  }

  record Reply(int status, JsonObject body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  Reply post(String path, String apiKey, String body) {
    return post(path, apiKey, body, Map.of());
  }

  Reply post(String path, String apiKey, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway + path))
            .timeout(Duration.ofSeconds(15))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (apiKey != null) {
      b.header("authorization", "Bearer " + apiKey);
    }
    headers.forEach(b::header);
    return call(b.build());
  }

  Reply delete(String path, String apiKey, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json")
        .method("DELETE", HttpRequest.BodyPublishers.ofString(body));
    if (apiKey != null) {
      b.header("authorization", "Bearer " + apiKey);
    }
    return call(b.build());
  }

  Reply get(String path, String apiKey) {
    return getUrl(gateway + path, apiKey);
  }

  /** GET of any URL (another service's /metrics, for example). */
  Reply getUrl(String url, String apiKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).GET();
    if (apiKey != null) {
      b.header("authorization", "Bearer " + apiKey);
    }
    return call(b.build());
  }

  Reply call(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonObject body = r.body().startsWith("{") ? new JsonObject(r.body()) : new JsonObject();
      return new Reply(r.statusCode(), body, r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A person of the hosted pages of tenant acme, made through the admin users API; role "user" or "admin". */
  void createUser(String username, String password, String role) {
    Reply r = post("/v1/users", ACME_ADMIN_KEY, new JsonObject().put("username", username).put("display_name",
        Character.toUpperCase(username.charAt(0)) + username.substring(1) + " Tester").put("password", password)
        .put("role", role).encode());
    if (r.status() != 201) {
      throw new IllegalStateException("creating user " + username + " failed: " + r.status() + " " + r.body());
    }
  }

  /** Tenant acme's 2FA policy: "forced" or "opt-in", with that many grace sign-ins. */
  void setPolicy(String mode, int graceSignIns) {
    Reply r = call(HttpRequest.newBuilder(URI.create(gateway + "/v1/policy"))
        .header("authorization", "Bearer " + ACME_ADMIN_KEY).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("mode", mode).put("grace_sign_ins", graceSignIns)
            .encode())).build());
    if (r.status() != 200) {
      throw new IllegalStateException("setting the policy failed: " + r.status() + " " + r.body());
    }
  }

  String gatewayUrl() {
    return gateway;
  }

  /**
   * Enrols and confirms an authenticator app for a person of the hosted pages through the API: their
   * registry account is ~{@code username}, which only the admin key reaches. Returns the app's key.
   */
  AuthenticatorApp.Key confirmHostedApp(String username) throws Exception {
    Reply enrolled = post("/v1/accounts/~" + username + "/factors/totp", ACME_ADMIN_KEY, "{}");
    AuthenticatorApp.Key key = AuthenticatorApp.parse(enrolled.body().getString("otpauth_uri"));
    Reply confirmed = post("/v1/accounts/~" + username + "/factors/" + enrolled.body().getString("factor_id") + "/confirm",
        ACME_ADMIN_KEY, new JsonObject().put("code", AuthenticatorApp.codeAtStep(key, nextTotpStep())).encode());
    if (confirmed.status() != 200) {
      throw new AssertionError("confirming the app of " + username + " failed: " + confirmed.body());
    }
    return key;
  }

  /** Moves the clock into a TOTP step no code was used in yet; that step. */
  long nextTotpStep() {
    long step = Math.floorDiv(clock.instant().getEpochSecond(), 30) + 2;
    clock.set(Instant.ofEpochSecond(step * 30 + 1));
    return step;
  }

  /** The gateway's /metrics, on its management port (not on the public one). */
  String gatewayMetricsUrl() {
    return "http://127.0.0.1:" + platform.gateway().managementPort() + "/metrics";
  }

  /** Starts an SMS verification and returns its id, failing the test on anything but 201. */
  String sendSms(String apiKey, String to) {
    Reply r = post("/v1/verifications", apiKey, "{\"to\": \"" + to + "\", \"channel\": \"sms\"}");
    if (r.status() != 201) {
      throw new AssertionError("Expected 201 for a send, got " + r.status() + ": " + r.body());
    }
    return r.body().getString("id");
  }

  Reply check(String apiKey, String id, String code) {
    return post("/v1/verifications/" + id + "/check", apiKey, "{\"code\": \"" + code + "\"}");
  }

  /** The SMS the fake Twilio received for a verification (its StatusCallback names the verification). */
  Optional<FakeTwilio.ReceivedSms> smsFor(String verificationId) {
    return twilio.messages().stream()
        .filter(m -> m.statusCallback() != null && m.statusCallback().contains("v=" + verificationId))
        .findFirst();
  }

  FakeTwilio.ReceivedSms smsForAwait(String verificationId) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> smsFor(verificationId), Optional::isPresent).get();
  }

  long smsCountFor(String verificationId) {
    return twilio.messages().stream()
        .filter(m -> m.statusCallback() != null && m.statusCallback().contains("v=" + verificationId))
        .count();
  }

  /** Waits for the verification's SMS and reads the code out of its text, as a person would. */
  String awaitCode(String verificationId) {
    FakeTwilio.ReceivedSms sms =
        await().atMost(Duration.ofSeconds(20)).until(() -> smsFor(verificationId), Optional::isPresent).get();
    Matcher m = CODE.matcher(sms.body());
    if (!m.find()) {
      throw new AssertionError("No code in the SMS text: " + sms.body());
    }
    return m.group(1);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    try (files; fcm; apns; twilio) {
      platform.close();
    }
  }
}
