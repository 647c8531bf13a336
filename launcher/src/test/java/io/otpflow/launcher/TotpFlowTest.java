package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_ADMIN_KEY;
import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static io.otpflow.launcher.TestPlatform.LONG_CODE_KEY;
import static io.otpflow.launcher.TestPlatform.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Topics;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticator apps end to end, as a user meets them: enrol, scan the QR code, confirm with the
 * app's code, then sign in with later codes at later times of the platform's clock; and removing
 * the app only with a valid code or the admin form.
 */
@Tag(OptionalTools.TAG)
class TotpFlowTest {
  private static final Logger LOG = LoggerFactory.getLogger(TotpFlowTest.class);
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
    LOG.info("TOTP codes in these tests are computed by {}.", AuthenticatorApp.IMPLEMENTATION);
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  /** Moves the platform's clock to the start of a fresh 30 s step, so "now ± n steps" is exact. */
  private static long freshStep(int period) {
    Instant now = p.clock.instant().plusSeconds(10L * period);
    long step = Math.floorDiv(now.getEpochSecond(), period);
    p.clock.set(Instant.ofEpochSecond(step * period + 1));
    return step;
  }

  /** Moves the platform's clock to the start of the next step. */
  private static long nextStep(int period) {
    long step = Math.floorDiv(p.clock.instant().getEpochSecond(), period) + 1;
    p.clock.set(Instant.ofEpochSecond(step * period + 1));
    return step;
  }

  /** Enrols an app on {@code account}, scans its QR code, confirms it; returns what the app stored. */
  static AuthenticatorApp.Key enrolAndConfirm(String apiKey, String account) throws Exception {
    TestPlatform.Reply enrolled = p.post("/v1/accounts/" + account + "/factors/totp", apiKey, "{\"label\": \"Pixel 8\"}");
    assertThat(enrolled.status()).as("%s", enrolled.body()).isEqualTo(201);
    String qr = enrolled.body().getString("qr_png");
    assertThat(qr).startsWith("data:image/png;base64,");
    String uri = AuthenticatorApp.readQrWithZxing(Base64.getDecoder().decode(qr.substring(qr.indexOf(',') + 1)));
    assertThat(uri).isEqualTo(enrolled.body().getString("otpauth_uri"));
    AuthenticatorApp.Key key = AuthenticatorApp.parse(uri);
    String factorId = enrolled.body().getString("factor_id");
    int period = key.period();
    // The next step, not freshStep's ten ahead: with a 60 s period that would be past the 10 minutes an
    // enrolment waits for its confirmation. A new factor has no accepted step to stay clear of.
    long step = nextStep(period);
    TestPlatform.Reply confirmed = p.post("/v1/accounts/" + account + "/factors/" + factorId + "/confirm", apiKey,
        "{\"code\": \"" + AuthenticatorApp.codeAtStep(key, step) + "\"}");
    assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
    assertThat(confirmed.body().getString("status")).isEqualTo("active");
    return key;
  }

  @Test
  void aRedeliveredRefusedProofIsCountedOnceTowardTheLockout() throws Exception {
    String account = "redelivered-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(ACME_KEY, account);
    String factorId = p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").getJsonObject(0)
        .getString("id");
    java.util.Set<String> near = new java.util.HashSet<>();
    long step = Math.floorDiv(p.clock.instant().getEpochSecond(), key.period());
    for (long s = step - 1; s <= step + 1; s++) {
      near.add(AuthenticatorApp.codeAtStep(key, s));
    }
    String wrong = java.util.stream.IntStream.range(0, 10).mapToObj(i -> String.valueOf(i).repeat(6))
        .filter(c -> !near.contains(c)).findFirst().orElseThrow();
    io.otpflow.common.CodeMac mac = new io.otpflow.common.CodeMac(
        Base64.getDecoder().decode(p.env.get(io.otpflow.common.PlatformKeys.CODE_MAC_KEY)));
    String eventId = java.util.UUID.randomUUID().toString();
    io.otpflow.common.events.AccountRequest.Remove remove = new io.otpflow.common.events.AccountRequest.Remove(eventId,
        Instant.now(), "acme", account, factorId,
        new io.otpflow.common.events.AccountRequest.Proof(mac.mac("acme", eventId, wrong), null, null, false, null));
    // The same request three times, as Kafka would redeliver it; acme locks at the third wrong code.
    try (io.otpflow.common.kafka.RequestReplyClient client = io.otpflow.common.kafka.RequestReplyClient.start(
        io.otpflow.common.kafka.KafkaSettings.fromEnv(new io.otpflow.common.Env(p.env), "redelivery-test"),
        "redelivery-test-" + System.nanoTime(), Duration.ofSeconds(30))) {
      for (int i = 0; i < 3; i++) {
        io.otpflow.common.events.AccountReply reply = client.request(Topics.ACCOUNT_REQUESTS,
            io.otpflow.common.accounts.AccountRegistryReader.accountMac(mac, "acme", account), remove,
            io.otpflow.common.events.AccountReply.class, Duration.ofSeconds(10)).get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(reply).as("delivery %d", i + 1).isEqualTo(new io.otpflow.common.events.AccountReply.ProofRefused("invalid-proof"));
      }
    }
    TestPlatform.Reply second = p.delete("/v1/accounts/" + account + "/factors/" + factorId, ACME_KEY,
        "{\"code\": \"" + wrong + "\"}");
    assertThat(second.status()).as("the second wrong code, not the fourth").isEqualTo(403);
    TestPlatform.Reply third = p.delete("/v1/accounts/" + account + "/factors/" + factorId, ACME_KEY,
        "{\"code\": \"" + wrong + "\"}");
    assertThat(third.status()).as("the third locks").isEqualTo(429);
  }

  private static String startTotp(String apiKey, String account) {
    TestPlatform.Reply r = p.post("/v1/verifications", apiKey, "{\"channel\": \"totp\", \"account\": \"" + account + "\"}");
    assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
    assertThat(r.body().getString("channel")).isEqualTo("totp");
    assertThat(r.body().containsKey("to")).as("nothing is sent, so there is no destination").isFalse();
    return r.body().getString("id");
  }

  @Test
  void enrolScanConfirmThenSignInAtLaterTimes() throws Exception {
    String account = "alice-" + System.nanoTime();
    TestPlatform.Reply enrolled = p.post("/v1/accounts/" + account + "/factors/totp", ACME_KEY, "{}");
    assertThat(enrolled.status()).isEqualTo(201);
    JsonObject e = enrolled.body();
    assertThat(e.getString("status")).isEqualTo("pending");
    assertThat(e.getString("factor_id")).matches("FA[0-9a-f]{32}");
    assertThat(e.getString("secret")).as("base32 in groups of four for typing").matches("([A-Z2-7]{4} )+[A-Z2-7]{1,4}");
    assertThat(e.getString("expires_at")).isNotBlank();

    // Scan: both decoders read the same URI from the PNG the API returned.
    byte[] png = Base64.getDecoder().decode(e.getString("qr_png").substring("data:image/png;base64,".length()));
    String uri = AuthenticatorApp.readQrWithZxing(png);
    String zbar = AuthenticatorApp.readQrWithZbar(png);
    LOG.info("QR code read by zxing{}.", zbar == null ? " (zbarimg is not installed)" : " and zbarimg");
    if (zbar != null) {
      assertThat(zbar).isEqualTo(uri);
    }
    assertThat(uri).isEqualTo(e.getString("otpauth_uri")).startsWith("otpauth://totp/Acme:" + account + "?");
    AuthenticatorApp.Key key = AuthenticatorApp.parse(uri);
    assertThat(key.issuer()).isEqualTo("Acme");
    assertThat(key.label()).isEqualTo("Acme:" + account);
    assertThat(key.account()).isEqualTo(account);
    assertThat(key.secret()).isEqualTo(e.getString("secret").replace(" ", "")).hasSize(32); // 160 bits
    assertThat(key.algorithm()).isEqualTo("SHA1");
    assertThat(key.digits()).isEqualTo(6);
    assertThat(key.period()).isEqualTo(30);

    // The URL serves the same PNG content.
    TestPlatform.Reply qrUrl = p.get(e.getString("qr_png_url"), ACME_KEY);
    assertThat(qrUrl.status()).isEqualTo(200);
    assertThat(qrUrl.header("content-type")).isEqualTo("image/png");
    assertThat(p.get(e.getString("qr_png_url"), OTHER_KEY).status()).as("another tenant's key").isEqualTo(404);

    String factor = e.getString("factor_id");
    long k = freshStep(30);
    // A pending factor signs nobody in.
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"totp\", \"account\": \"" + account + "\"}").status())
        .isEqualTo(409);
    TestPlatform.Reply wrong = p.post("/v1/accounts/" + account + "/factors/" + factor + "/confirm", ACME_KEY,
        "{\"code\": \"" + other(AuthenticatorApp.codeAtStep(key, k)) + "\"}");
    assertThat(wrong.status()).isEqualTo(422);
    assertThat(wrong.body().getInteger("attempts_left")).isEqualTo(4);
    TestPlatform.Reply confirmed = p.post("/v1/accounts/" + account + "/factors/" + factor + "/confirm", ACME_KEY,
        "{\"code\": \"" + AuthenticatorApp.codeAtStep(key, k) + "\"}");
    assertThat(confirmed.status()).isEqualTo(200);
    assertThat(confirmed.body().getString("status")).isEqualTo("active");
    assertThat(confirmed.body().getString("confirmed_at")).isNotBlank();
    assertThat(p.get(e.getString("qr_png_url"), ACME_KEY).status())
        .as("the QR code (the secret) is served while the enrolment is pending, not after").isEqualTo(404);

    // Later: ±2 steps are refused, -1, 0 and +1 are accepted (in that order: a step is accepted once,
    // and never one before the last accepted), the same step twice is refused.
    k = freshStep(30);
    String v = startTotp(ACME_KEY, account);
    assertThat(p.check(ACME_KEY, v, AuthenticatorApp.codeAtStep(key, k + 2)).body().getString("status")).isEqualTo("denied");
    assertThat(p.check(ACME_KEY, v, AuthenticatorApp.codeAtStep(key, k - 2)).body().getString("status")).isEqualTo("denied");
    TestPlatform.Reply minus1 = p.check(ACME_KEY, v, AuthenticatorApp.codeAtStep(key, k - 1));
    assertThat(minus1.body().getString("status")).as("%s", minus1.body()).isEqualTo("approved");
    assertThat(p.get("/v1/verifications/" + v, ACME_KEY).body().getString("status")).isEqualTo("approved");
    assertThat(p.check(ACME_KEY, startTotp(ACME_KEY, account), AuthenticatorApp.codeAtStep(key, k)).body().getString("status"))
        .isEqualTo("approved");
    assertThat(p.check(ACME_KEY, startTotp(ACME_KEY, account), AuthenticatorApp.codeAtStep(key, k + 1)).body().getString("status"))
        .isEqualTo("approved");
    String replay = startTotp(ACME_KEY, account);
    TestPlatform.Reply replayed = p.check(ACME_KEY, replay, AuthenticatorApp.codeAtStep(key, k + 1));
    assertThat(replayed.body().getString("status")).as("the same step twice").isEqualTo("denied");

    // Wrong codes count toward the account's lockout (threshold 3 for acme): the replay was one.
    assertThat(p.check(ACME_KEY, replay, "000000").body().getString("status")).isIn("denied");
    TestPlatform.Reply locked = p.check(ACME_KEY, replay, "111111");
    assertThat(locked.body().getString("status")).isEqualTo("locked");
    assertThat(locked.body().getLong("retry_after_seconds")).isEqualTo(60);
    p.clock.advance(Duration.ofSeconds(30));
    String whileLocked = startTotp(ACME_KEY, account);
    assertThat(p.check(ACME_KEY, whileLocked, AuthenticatorApp.code(key, p.clock.instant())).body().getString("status"))
        .as("even the right code while locked").isEqualTo("locked");
    p.clock.advance(Duration.ofSeconds(31));
    assertThat(p.check(ACME_KEY, whileLocked, AuthenticatorApp.code(key, p.clock.instant())).body().getString("status"))
        .isEqualTo("approved");

    JsonObject view = p.get("/v1/accounts/" + account, ACME_KEY).body();
    assertThat(view.getJsonArray("factors")).hasSize(1);
    JsonObject f = view.getJsonArray("factors").getJsonObject(0);
    assertThat(f.getString("type")).isEqualTo("totp");
    assertThat(f.getString("last_used_at")).isNotBlank();
    assertThat(f.encode()).doesNotContain(key.secret());
  }

  @Test
  void concurrentChecksOfOneCodeApproveOnce() throws Exception {
    String account = "bob-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(ACME_KEY, account);
    long k = freshStep(30);
    String code = AuthenticatorApp.codeAtStep(key, k);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(startTotp(ACME_KEY, account));
    }
    String[] totpFunnel = {"tenant", "acme", "channel", "totp", "provider", "none", "country_code", "none"};
    double verifiedBefore = verifierMetrics().sum("otp_verifications_verified_total", totpFunnel);
    double refusedBefore = refused(verifierMetrics(), totpFunnel);
    List<Future<TestPlatform.Reply>> replies = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String id : ids) {
        replies.add(pool.submit(() -> p.check(ACME_KEY, id, code)));
      }
    }
    int approved = 0;
    for (Future<TestPlatform.Reply> r : replies) {
      if ("approved".equals(r.get().body().getString("status"))) {
        approved++;
      }
    }
    assertThat(approved).as("one time step is accepted once, whatever the concurrency").isEqualTo(1);
    // The operator's funnel sees the same, labelled as an app (no provider, no number): one verified,
    // and the 19 replays refused: denied, or locked once their failures locked the account (acme locks at 3).
    PrometheusText after = verifierMetrics();
    assertThat(after.sum("otp_verifications_verified_total", totpFunnel) - verifiedBefore).isEqualTo(1);
    assertThat(refused(after, totpFunnel) - refusedBefore).isEqualTo(19);
  }

  private static double refused(PrometheusText metrics, String[] labels) {
    return metrics.sum("otp_verifications_denied_total", labels) + metrics.sum("otp_verifications_locked_total", labels);
  }

  private static PrometheusText verifierMetrics() {
    TestPlatform.Reply r = p.getUrl("http://127.0.0.1:" + p.platform.verifier().httpPort() + "/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    return PrometheusText.parse(r.raw().body());
  }

  @Test
  void theTenantsAlgorithmDigitsAndPeriodApply() throws Exception {
    String account = "carol-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(LONG_CODE_KEY, account);
    assertThat(key.algorithm()).isEqualTo("SHA256");
    assertThat(key.digits()).isEqualTo(8);
    assertThat(key.period()).isEqualTo(60);
    assertThat(key.secret()).as("256 bits for SHA-256").hasSize(52);
    long k = freshStep(60);
    String v = p.post("/v1/verifications", LONG_CODE_KEY, "{\"channel\": \"totp\", \"account\": \"" + account + "\"}")
        .body().getString("id");
    assertThat(p.check(LONG_CODE_KEY, v, AuthenticatorApp.codeAtStep(key, k)).body().getString("status")).isEqualTo("approved");
  }

  @Test
  void removingTheAppNeedsAValidCodeOrTheAdminFormAndEmitsEvents() throws Exception {
    String account = "dave-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(ACME_KEY, account);
    String factor = p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").getJsonObject(0).getString("id");
    String path = "/v1/accounts/" + account + "/factors/" + factor;
    long k = freshStep(30);

    TestPlatform.Reply none = p.delete(path, ACME_KEY, "");
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.body().getString("code")).isEqualTo("proof-required");
    TestPlatform.Reply wrong = p.delete(path, ACME_KEY, "{\"code\": \"" + other(AuthenticatorApp.codeAtStep(key, k)) + "\"}");
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body().getString("code")).isEqualTo("invalid-proof");
    assertThat(p.delete(path, ACME_KEY, "{\"reason\": \"I lost my phone\"}").status())
        .as("a reason is no proof with the application's key").isEqualTo(403);
    assertThat(p.delete(path, OTHER_KEY, "{\"code\": \"" + AuthenticatorApp.codeAtStep(key, k) + "\"}").status())
        .as("another tenant").isEqualTo(404);
    assertThat(p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors")).hasSize(1);

    TestPlatform.Reply removed = p.delete(path, ACME_KEY, "{\"code\": \"" + AuthenticatorApp.codeAtStep(key, k) + "\"}");
    assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
    assertThat(removed.body().getJsonArray("factors")).isEmpty();
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"totp\", \"account\": \"" + account + "\"}").status())
        .isEqualTo(409);

    // The helpdesk reset: the admin key needs a reason, and the event records who and why.
    AuthenticatorApp.Key second = enrolAndConfirm(ACME_KEY, account);
    assertThat(second.secret()).isNotEqualTo(key.secret());
    String secondId = p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").getJsonObject(0).getString("id");
    String secondPath = "/v1/accounts/" + account + "/factors/" + secondId;
    TestPlatform.Reply noReason = p.delete(secondPath, ACME_ADMIN_KEY, "{}");
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.body().getString("code")).isEqualTo("reason-required");
    assertThat(p.delete(secondPath, ACME_ADMIN_KEY, "{\"reason\": \"Lost phone, ticket 4411\"}").status()).isEqualTo(200);

    List<JsonObject> events = accountEvents(account, 6);
    assertThat(events).extracting(ev -> ev.getString("type"))
        .containsExactly("factor_added", "factor_confirmed", "factor_removed", "factor_added", "factor_confirmed",
            "factor_removed");
    assertThat(events.get(2).getString("actor")).isEqualTo("user");
    assertThat(events.get(2).getString("proof")).isEqualTo("code");
    assertThat(events.get(2).getString("factor_id")).isEqualTo(factor);
    assertThat(events.get(5).getString("actor")).isEqualTo("admin");
    assertThat(events.get(5).getString("proof")).isEqualTo("admin");
    assertThat(events.get(5).getString("reason")).isEqualTo("Lost phone, ticket 4411");
    assertThat(events).allSatisfy(ev -> assertThat(ev.encode()).doesNotContain(key.secret()).doesNotContain(second.secret()));
  }

  @Test
  void anApprovedVerificationIsProofOnce() throws Exception {
    String account = "erin-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(ACME_KEY, account);
    String factor = p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").getJsonObject(0).getString("id");
    long k = freshStep(30);
    String v = startTotp(ACME_KEY, account);
    assertThat(p.check(ACME_KEY, v, AuthenticatorApp.codeAtStep(key, k)).body().getString("status")).isEqualTo("approved");
    TestPlatform.Reply codes = p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY, "{\"verification_id\": \"" + v + "\"}");
    assertThat(codes.status()).as("%s", codes.body()).isEqualTo(201);
    TestPlatform.Reply again = p.delete("/v1/accounts/" + account + "/factors/" + factor, ACME_KEY,
        "{\"verification_id\": \"" + v + "\"}");
    assertThat(again.status()).as("a verification is proof once").isEqualTo(403);
  }

  @Test
  void onlyAVerificationThroughOneOfTheAccountsFactorsIsProof() throws Exception {
    String account = "fiona-" + System.nanoTime();
    enrolAndConfirm(ACME_KEY, account);
    String factor = p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").getJsonObject(0).getString("id");
    String path = "/v1/accounts/" + account + "/factors/" + factor;

    // An SMS to a number the caller names proves access to that number, not to a factor of the account.
    TestPlatform.Reply sms = p.post("/v1/verifications", ACME_KEY,
        new JsonObject().put("to", TestPlatform.uniquePhone()).put("account", account).encode());
    assertThat(sms.status()).as("%s", sms.body()).isEqualTo(201);
    String elsewhere = sms.body().getString("id");
    assertThat(p.check(ACME_KEY, elsewhere, p.awaitCode(elsewhere)).body().getString("status")).isEqualTo("approved");
    TestPlatform.Reply refused = p.delete(path, ACME_KEY, "{\"verification_id\": \"" + elsewhere + "\"}");
    assertThat(refused.status()).as("%s", refused.body()).isEqualTo(403);
    assertThat(refused.body().getString("code")).isEqualTo("invalid-proof");

    // Nor the SMS that confirms a new phone: adding a number needs no proof, so its code cannot be one.
    TestPlatform.Reply unconfirmed = p.post("/v1/accounts/" + account + "/factors/phone", ACME_KEY,
        "{\"phone\": \"" + TestPlatform.uniquePhone() + "\"}");
    assertThat(unconfirmed.status()).as("%s", unconfirmed.body()).isEqualTo(201);
    String enrolment = unconfirmed.body().getString("verification_id");
    assertThat(p.check(ACME_KEY, enrolment, p.awaitCode(enrolment)).body().getString("status")).isEqualTo("approved");
    assertThat(p.delete(path, ACME_KEY, "{\"verification_id\": \"" + enrolment + "\"}").status()).isEqualTo(403);
    assertThat(p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY, "{\"verification_id\": \"" + enrolment + "\"}")
        .status()).as("regenerating recovery codes takes the same proof").isEqualTo(403);

    // A confirmed phone is a factor: an SMS to it is proof; the one that confirmed it still is not.
    TestPlatform.Reply work = p.post("/v1/accounts/" + account + "/factors/phone", ACME_KEY,
        "{\"phone\": \"" + TestPlatform.uniquePhone() + "\"}");
    String confirming = work.body().getString("verification_id");
    assertThat(p.post("/v1/accounts/" + account + "/factors/" + work.body().getString("factor_id") + "/confirm", ACME_KEY,
        "{\"code\": \"" + p.awaitCode(confirming) + "\"}").status()).isEqualTo(200);
    assertThat(p.delete(path, ACME_KEY, "{\"verification_id\": \"" + confirming + "\"}").status()).isEqualTo(403);
    assertThat(p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("factors").stream()
        .map(f -> ((JsonObject) f).getString("id"))).as("nothing was removed").contains(factor);
    p.clock.advance(Duration.ofSeconds(31)); // the phone's minimum interval between SMS
    TestPlatform.Reply toPhone = p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"sms\", \"account\": \"" + account + "\"}");
    assertThat(toPhone.status()).as("%s", toPhone.body()).isEqualTo(201);
    String proof = toPhone.body().getString("id");
    assertThat(p.check(ACME_KEY, proof, p.awaitCode(proof)).body().getString("status")).isEqualTo("approved");
    TestPlatform.Reply removed = p.delete(path, ACME_KEY, "{\"verification_id\": \"" + proof + "\"}");
    assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
    assertThat(removed.body().getJsonArray("factors").stream().map(f -> ((JsonObject) f).getString("id"))).doesNotContain(factor);
  }

  @Test
  void turningTwoFactorOffTakesOneValidCodeAndRemovesEverythingWithAnEventEach() throws Exception {
    String account = "off-" + System.nanoTime();
    AuthenticatorApp.Key key = enrolAndConfirm(ACME_KEY, account);
    long step = freshStep(key.period());
    TestPlatform.Reply codes = p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY,
        "{\"code\": \"" + AuthenticatorApp.codeAtStep(key, step) + "\"}");
    assertThat(codes.status()).as("%s", codes.body()).isEqualTo(201);
    TestPlatform.Reply device = p.post("/v1/accounts/" + account + "/devices", ACME_KEY, new JsonObject()
        .put("platform", "apns").put("token", AccountFactorsTest.apnsToken()).put("name", "iPhone")
        .put("public_key", AccountFactorsTest.publicKey()).encode());
    assertThat(device.status()).as("%s", device.body()).isEqualTo(201);

    TestPlatform.Reply none = p.delete("/v1/accounts/" + account + "/factors", ACME_KEY, "");
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.body().getString("type")).contains("proof-required");
    String current = AuthenticatorApp.codeAtStep(key, freshStep(key.period()));
    TestPlatform.Reply wrong = p.delete("/v1/accounts/" + account + "/factors", ACME_KEY,
        "{\"code\": \"" + other(current) + "\"}");
    assertThat(wrong.status()).isEqualTo(403);
    JsonObject still = p.get("/v1/accounts/" + account, ACME_KEY).body();
    assertThat(still.getJsonArray("factors")).hasSize(1);
    assertThat(still.getJsonArray("devices")).hasSize(1);
    assertThat(still.getJsonObject("recovery_codes").getInteger("remaining")).isEqualTo(10);

    TestPlatform.Reply off = p.delete("/v1/accounts/" + account + "/factors", ACME_KEY, "{\"code\": \"" + current + "\"}");
    assertThat(off.status()).as("%s", off.body()).isEqualTo(200);
    JsonObject after = p.get("/v1/accounts/" + account, ACME_KEY).body();
    assertThat(after.getJsonArray("factors")).isEmpty();
    assertThat(after.getJsonArray("devices")).isEmpty();
    assertThat(after.getJsonObject("recovery_codes").getInteger("remaining")).isZero();
    List<JsonObject> events = accountEvents(account, 7);
    assertThat(events).filteredOn(e -> "code".equals(e.getString("proof")) && "user".equals(e.getString("actor")))
        .extracting(e -> e.getString("type"))
        .contains("factor_removed", "device_removed", "recovery_codes_removed");
    assertThat(p.delete("/v1/accounts/" + account + "/factors", ACME_KEY, "").status())
        .as("nothing left to turn off needs no proof").isEqualTo(200);
  }

  static List<JsonObject> accountEvents(String account, int atLeast) {
    List<JsonObject> events = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      events.clear();
      new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readAll(Topics.ACCOUNT_EVENTS).stream()
          .map(r -> new JsonObject(r.value()))
          .filter(j -> account.equals(j.getString("account")))
          .forEach(events::add);
      return events.size() >= atLeast;
    });
    return events;
  }

  /** A code that is not {@code code}. */
  static String other(String code) {
    return code.startsWith("0") ? "1" + code.substring(1) : "0" + code.substring(1);
  }
}
