package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_ADMIN_KEY;
import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static io.otpflow.launcher.TestPlatform.OTHER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisClient;

/** Recovery codes, phone factors and push devices in the account registry, and hostile input to all of it. */
class AccountFactorsTest {
  static TestPlatform p;
  static RedisClient redis;

  @BeforeAll
  static void start() throws Exception {
    RedisFixture r = RedisFixture.shared();
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), r.uri());
    redis = RedisClient.create(r.host(), r.port());
  }

  @AfterAll
  static void stop() {
    redis.close();
    p.close();
  }

  private static String account(String name) {
    return name + "-" + System.nanoTime();
  }

  private static String verification(String apiKey, String account, String channel) {
    TestPlatform.Reply r = p.post("/v1/verifications", apiKey,
        "{\"channel\": \"" + channel + "\", \"account\": \"" + account + "\"}");
    assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
    return r.body().getString("id");
  }

  // ---------------------------------------------------------------- recovery codes

  @Test
  void recoveryCodesWorkOnceAndRegeneratingVoidsTheOldSet() {
    String account = account("rita");
    TestPlatform.Reply first = p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY, "");
    assertThat(first.status()).as("no factor yet, so no proof needed: %s", first.body()).isEqualTo(201);
    List<String> codes = first.body().getJsonArray("codes").getList();
    assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z2-9]{5}-[a-z2-9]{5}"));
    assertThat(first.body().getInteger("remaining")).isEqualTo(10);

    String v = verification(ACME_KEY, account, "recovery_code");
    assertThat(p.check(ACME_KEY, v, codes.get(0).toUpperCase()).body().getString("status"))
        .as("typed in capitals").isEqualTo("approved");
    String again = verification(ACME_KEY, account, "recovery_code");
    assertThat(p.check(ACME_KEY, again, codes.get(0)).body().getString("status")).as("a code works once").isEqualTo("denied");
    assertThat(p.check(ACME_KEY, again, codes.get(1).replace("-", "")).body().getString("status")).isEqualTo("approved");
    JsonObject view = p.get("/v1/accounts/" + account, ACME_KEY).body();
    assertThat(view.getJsonObject("recovery_codes").getInteger("remaining")).isEqualTo(8);
    assertThat(view.getJsonObject("recovery_codes").getString("last_used_at")).isNotBlank();

    // Regenerating needs proof now (the account has codes): one of the old codes serves, then the old set is void.
    assertThat(p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY, "").status()).isEqualTo(403);
    TestPlatform.Reply second = p.post("/v1/accounts/" + account + "/recovery-codes", ACME_KEY,
        "{\"code\": \"" + codes.get(2) + "\"}");
    assertThat(second.status()).as("%s", second.body()).isEqualTo(201);
    List<String> fresh = second.body().getJsonArray("codes").getList();
    assertThat(fresh).doesNotContainAnyElementsOf(codes);
    String old = verification(ACME_KEY, account, "recovery_code");
    assertThat(p.check(ACME_KEY, old, codes.get(3)).body().getString("status")).isEqualTo("denied");
    assertThat(p.check(ACME_KEY, old, fresh.get(0)).body().getString("status")).isEqualTo("approved");
    assertThat(p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonObject("recovery_codes").getInteger("remaining"))
        .isEqualTo(9);
    // Another tenant sees nothing of it and cannot use it.
    assertThat(p.get("/v1/accounts/" + account, OTHER_KEY).body().getJsonObject("recovery_codes").getInteger("remaining"))
        .isZero();
    assertThat(p.post("/v1/verifications", OTHER_KEY, "{\"channel\": \"recovery_code\", \"account\": \"" + account + "\"}")
        .status()).isEqualTo(409);

    List<JsonObject> events = TotpFlowTest.accountEvents(account, 2);
    assertThat(events).extracting(e -> e.getString("type")).containsExactly("recovery_codes_generated", "recovery_codes_generated");
    assertThat(events.get(1).getString("proof")).isEqualTo("recovery_code");
    assertThat(events).allSatisfy(e -> codes.forEach(c -> assertThat(e.encode()).doesNotContain(c)));
  }

  @Test
  void aHelpdeskResetOfTheLastFactorRemovesTheOldRecoveryCodesToo() throws Exception {
    String account = account("lost");
    TestPlatform.Reply device = register(ACME_KEY, account, apnsToken(), "iPhone 15");
    assertThat(device.status()).as("%s", device.body()).isEqualTo(201);
    // Ten Argon2id hashes can outlast the gateway's 3 s wait on a busy machine: 503 says "retry later".
    TestPlatform.Reply codes = await().atMost(Duration.ofSeconds(60)).until(() -> p.post("/v1/accounts/" + account
        + "/recovery-codes", ACME_ADMIN_KEY, "{\"reason\": \"first set\"}"), r -> r.status() != 503);
    assertThat(codes.status()).as("%s", codes.body()).isEqualTo(201);
    String code = codes.body().getJsonArray("codes").getString(0);

    // The person lost their phone, and with it perhaps the paper with their codes: the helpdesk removes the device.
    assertThat(p.delete("/v1/accounts/" + account + "/devices/" + device.body().getString("id"), ACME_ADMIN_KEY,
        "{\"reason\": \"lost phone\"}").status()).isEqualTo(200);
    JsonObject view = p.get("/v1/accounts/" + account, ACME_ADMIN_KEY).body();
    assertThat(view.getJsonObject("recovery_codes").getInteger("remaining")).as("the old codes went with it").isZero();
    // Set up again: the old codes do not come back to life.
    assertThat(register(ACME_KEY, account, apnsToken(), "iPhone 16").status()).isEqualTo(201);
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"recovery_code\", \"account\": \"" + account
        + "\"}").status()).as("no recovery code of the account is left to check, %s neither", code).isEqualTo(409);
    List<JsonObject> events = TotpFlowTest.accountEvents(account, 5);
    assertThat(events).extracting(e -> e.getString("type")).contains("recovery_codes_removed");
  }

  // ---------------------------------------------------------------- phone factors

  @Test
  void aPhoneFactorIsConfirmedByItsSmsAndThenReceivesTheAccountsSms() {
    String account = account("paul");
    String phone = TestPlatform.uniquePhone();
    TestPlatform.Reply enrolled = p.post("/v1/accounts/" + account + "/factors/phone", ACME_KEY,
        "{\"phone\": \"" + phone + "\", \"label\": \"work phone\"}");
    assertThat(enrolled.status()).as("%s", enrolled.body()).isEqualTo(201);
    assertThat(enrolled.body().getString("phone")).isNotEqualTo(phone).endsWith(phone.substring(phone.length() - 2));
    String factor = enrolled.body().getString("factor_id");
    String code = p.awaitCode(enrolled.body().getString("verification_id"));
    TestPlatform.Reply wrong = p.post("/v1/accounts/" + account + "/factors/" + factor + "/confirm", ACME_KEY,
        "{\"code\": \"" + TotpFlowTest.other(code) + "\"}");
    assertThat(wrong.status()).isEqualTo(422);
    assertThat(wrong.body().getInteger("attempts_left")).isEqualTo(4);
    TestPlatform.Reply confirmed = p.post("/v1/accounts/" + account + "/factors/" + factor + "/confirm", ACME_KEY,
        "{\"code\": \"" + code + "\"}");
    assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
    assertThat(confirmed.body().getString("status")).isEqualTo("active");
    assertThat(p.post("/v1/accounts/" + account + "/factors/phone", ACME_KEY, "{\"phone\": \"" + phone + "\"}").status())
        .as("the same number twice").isEqualTo(409);

    // An SMS for the account without 'to' goes to the confirmed number.
    p.clock.advance(java.time.Duration.ofSeconds(31));
    TestPlatform.Reply sent = p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"sms\", \"account\": \"" + account + "\"}");
    assertThat(sent.status()).as("%s", sent.body()).isEqualTo(201);
    String id = sent.body().getString("id");
    assertThat(p.smsForAwait(id).to()).isEqualTo(phone);
    assertThat(p.check(ACME_KEY, id, p.awaitCode(id)).body().getString("status")).isEqualTo("approved");

    JsonObject view = p.get("/v1/accounts/" + account, ACME_KEY).body();
    assertThat(view.encode()).doesNotContain(phone);
    assertThat(view.getJsonArray("factors").getJsonObject(0).getString("label")).isEqualTo("work phone");
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"sms\", \"account\": \"nobody-" + System.nanoTime() + "\"}")
        .status()).as("an account without a phone").isEqualTo(409);
  }

  // ---------------------------------------------------------------- devices

  static String publicKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return Base64.getEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded());
  }

  static String apnsToken() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static TestPlatform.Reply register(String apiKey, String account, String token, String name) throws Exception {
    return p.post("/v1/accounts/" + account + "/devices", apiKey, new JsonObject().put("platform", "apns").put("token", token)
        .put("name", name).put("label", "Alice").put("public_key", publicKey()).encode());
  }

  @Test
  void devicesRegisterListWithoutTokensUpdateByTokenAndRespectTheLimit() throws Exception {
    String account = account("team");
    String token = apnsToken();
    TestPlatform.Reply first = register(ACME_KEY, account, token, "iPhone 15");
    assertThat(first.status()).as("%s", first.body()).isEqualTo(201);
    String id = first.body().getString("id");
    assertThat(id).matches("DV[0-9a-f]{32}");
    assertThat(first.body().getString("platform")).isEqualTo("apns");

    TestPlatform.Reply again = register(ACME_KEY, account, token.toUpperCase(), "iPhone 15 Pro");
    assertThat(again.status()).as("the same token updates its device").isEqualTo(200);
    assertThat(again.body().getString("id")).isEqualTo(id);
    assertThat(again.body().getString("name")).isEqualTo("iPhone 15 Pro");

    TestPlatform.Reply fcm = p.post("/v1/accounts/" + account + "/devices", ACME_KEY, new JsonObject().put("platform", "fcm")
        .put("token", "fcm-token_" + System.nanoTime() + ":APA91bH" + "x".repeat(120)).put("name", "Pixel")
        .put("public_key", publicKey()).encode());
    assertThat(fcm.status()).isEqualTo(201);
    assertThat(register(ACME_KEY, account, apnsToken(), "iPad").status()).isEqualTo(201);
    TestPlatform.Reply fourth = register(ACME_KEY, account, apnsToken(), "one too many");
    assertThat(fourth.status()).as("acme allows 3 devices").isEqualTo(409);
    assertThat(fourth.body().getString("code")).isEqualTo("device-limit");

    // What the push fan-out will read: the registry reader gives the sealed token, which opens with
    // the address keys and the associated data PushDispatch documents.
    io.otpflow.common.Env env = p.platform.envFor("OTPFLOW_ISSUER_PORT");
    List<io.otpflow.common.accounts.AccountRegistryReader.Device> active =
        new io.otpflow.common.accounts.AccountRegistryReader(redis, io.otpflow.common.PlatformKeys.codeMac(env), p.clock)
            .activeDevices("acme", account);
    assertThat(active).hasSize(3);
    var registered = active.stream().filter(d -> d.deviceId().equals(id)).findFirst().orElseThrow();
    assertThat(registered.platform()).isEqualTo("apns");
    assertThat(registered.name()).isEqualTo("iPhone 15 Pro");
    assertThat(registered.publicKey()).isNotBlank();
    assertThat(io.otpflow.common.PlatformKeys.addressBox(env).open(registered.sealedToken(),
        io.otpflow.common.accounts.StoredFactor.pushTokenAad("acme", account))).isEqualTo(token);
    assertThat(new io.otpflow.common.accounts.AccountRegistryReader(redis, io.otpflow.common.PlatformKeys.codeMac(env), p.clock)
        .activeDevices("other", account)).as("another tenant's view of the same account name").isEmpty();

    TestPlatform.Reply list = p.get("/v1/accounts/" + account + "/devices", ACME_KEY);
    JsonArray devices = list.body().getJsonArray("devices");
    assertThat(devices).hasSize(3);
    assertThat(list.raw().body()).doesNotContain(token).doesNotContain(token.toUpperCase()).doesNotContain("APA91bH");
    assertThat(p.get("/v1/accounts/" + account, ACME_KEY).body().getJsonArray("devices")).hasSize(3);

    // Removing needs proof (or the admin form); another tenant can neither see nor remove it.
    assertThat(p.get("/v1/accounts/" + account + "/devices", OTHER_KEY).body().getJsonArray("devices")).isEmpty();
    assertThat(p.delete("/v1/accounts/" + account + "/devices/" + id, OTHER_KEY, "{\"reason\": \"x\"}").status()).isEqualTo(404);
    TestPlatform.Reply noProof = p.delete("/v1/accounts/" + account + "/devices/" + id, ACME_KEY, "");
    assertThat(noProof.status()).isEqualTo(403);
    assertThat(p.delete("/v1/accounts/" + account + "/devices/FA" + "0".repeat(32), ACME_KEY, "").status())
        .as("/devices/ takes device ids only").isEqualTo(404);
    TestPlatform.Reply removed = p.delete("/v1/accounts/" + account + "/devices/" + id, ACME_ADMIN_KEY,
        "{\"reason\": \"stolen phone\"}");
    assertThat(removed.status()).as("%s", removed.body()).isEqualTo(200);
    assertThat(removed.body().getJsonArray("devices")).hasSize(2);
    assertThat(register(ACME_KEY, account, apnsToken(), "replacement").status()).as("room again").isEqualTo(201);

    List<JsonObject> events = TotpFlowTest.accountEvents(account, 6);
    assertThat(events).extracting(e -> e.getString("type")).containsExactly("device_registered", "device_updated",
        "device_registered", "device_registered", "device_removed", "device_registered");
    assertThat(events.get(4).getString("reason")).isEqualTo("stolen phone");
    assertThat(events).allSatisfy(e -> assertThat(e.encode()).doesNotContain(token));
  }

  // ---------------------------------------------------------------- hostile input

  static Stream<Arguments> hostile() throws Exception {
    String a = "/v1/accounts/eve";
    String key = publicKey();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String rsaKey = Base64.getEncoder().encodeToString(rsa.generateKeyPair().getPublic().getEncoded());
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    String p384Key = Base64.getEncoder().encodeToString(p384.generateKeyPair().getPublic().getEncoded());
    String token = apnsToken();
    return Stream.of(
        Arguments.of("POST", "/v1/accounts/" + "a".repeat(129) + "/factors/totp", "{}", 400, "invalid-account"),
        Arguments.of("POST", "/v1/accounts/a%00b/factors/totp", "{}", 400, "invalid-account"),
        Arguments.of("POST", "/v1/accounts/a%20b/recovery-codes", "", 400, "invalid-account"),
        Arguments.of("POST", a + "/factors/totp", "[1]", 400, "invalid-json"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": 7}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": \"a\\u0007b\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": \"" + "x".repeat(65) + "\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": \"Bob \\u202eecilA\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": \"Al\\u200bice\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/totp", "{\"label\": \"a\\ud800b\"}", 400, "invalid-field"),
        Arguments.of("DELETE", a + "/factors/FA" + "0".repeat(32), "{\"reason\": \"lost \\u2066phone\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/phone", "{}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/phone", "{\"phone\": \"+1415CALLNOW\"}", 400, "invalid-phone-number"),
        Arguments.of("POST", a + "/factors/phone", "{\"phone\": [\"+14155552671\"]}", 400, "invalid-field"),
        Arguments.of("POST", a + "/factors/FA" + "0".repeat(32) + "/confirm", "{\"code\": 123456}", 400, "invalid-code"),
        Arguments.of("POST", a + "/factors/FA" + "0".repeat(32) + "/confirm", "{\"code\": \"12a456\"}", 400, "invalid-code"),
        Arguments.of("POST", a + "/factors/nothex/confirm", "{\"code\": \"123456\"}", 404, "factor-not-found"),
        Arguments.of("POST", a + "/factors/FA" + "0".repeat(32) + "/confirm", "{\"code\": \"123456\"}", 404, "factor-not-found"),
        Arguments.of("DELETE", a + "/factors/FA" + "0".repeat(32), "{\"code\": \"12\"}", 400, "invalid-code"),
        Arguments.of("DELETE", a + "/factors/FA" + "0".repeat(32), "{\"verification_id\": \"VE1\"}", 400, "invalid-field"),
        Arguments.of("DELETE", a + "/factors/XX" + "0".repeat(32), "", 404, "factor-not-found"),
        Arguments.of("DELETE", a + "/factors/FA" + "0".repeat(32), "", 404, "factor-not-found"),
        Arguments.of("POST", a + "/recovery-codes", "{\"code\": {}}", 400, "invalid-code"),
        Arguments.of("POST", a + "/recovery-codes", "{\"reason\": \"" + "r".repeat(501) + "\"}", 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", "{}", 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("sms", token, "n", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", "not-hex", "n", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", token.substring(2), "n", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("fcm", "short", "n", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", token, "", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", token, null, key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", token, "iPhone\u202e", key), 400, "invalid-field"),
        Arguments.of("POST", a + "/devices", device("apns", token, "n", "not base64!"), 400, "invalid-public-key"),
        Arguments.of("POST", a + "/devices", device("apns", token, "n", rsaKey), 400, "invalid-public-key"),
        Arguments.of("POST", a + "/devices", device("apns", token, "n", p384Key), 400, "invalid-public-key"),
        Arguments.of("POST", a + "/devices", device("apns", token, "n", Base64.getEncoder().encodeToString(new byte[91])), 400,
            "invalid-public-key"),
        Arguments.of("POST", "/v1/verifications", "{\"channel\": \"totp\"}", 400, "invalid-field"),
        Arguments.of("POST", "/v1/verifications", "{\"channel\": \"totp\", \"account\": \"eve\", \"to\": \"+14155552671\"}", 400,
            "invalid-field"),
        Arguments.of("POST", "/v1/verifications", "{\"channel\": \"recovery_code\", \"account\": \"e v e\"}", 400, "invalid-field"),
        Arguments.of("POST", "/v1/verifications", "{\"channel\": \"sms\", \"account\": \"eve\", \"factor_id\": \"FA1\"}", 400,
            "invalid-field"),
        Arguments.of("POST", "/v1/verifications", "{\"to\": \"+14155552671\", \"factor_id\": \"FA" + "0".repeat(32) + "\"}", 400,
            "invalid-field"),
        Arguments.of("POST", "/v1/verifications", "{\"channel\": \"totp\", \"account\": \"nobody-here\"}", 409, "no-active-factor"),
        Arguments.of("GET", a + "/factors/FA" + "0".repeat(32) + "/qr.png?t=forged", null, 404, "not-found"));
  }

  private static String device(String platform, String token, String name, String key) {
    JsonObject d = new JsonObject().put("platform", platform).put("token", token).put("public_key", key);
    if (name != null) {
      d.put("name", name);
    }
    return d.encode();
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("hostile")
  void hostileInputIsRefusedWithAProblemAndStoresNothing(String method, String path, String body, int status, String code) {
    RedisSnapshot keys = RedisSnapshot.of(redis);
    int sms = p.twilio.requestCount();
    TestPlatform.Reply r = switch (method) {
      case "POST" -> p.post(path, ACME_KEY, body);
      case "DELETE" -> p.delete(path, ACME_KEY, body);
      default -> p.get(path, ACME_KEY);
    };
    assertThat(r.status()).as("%s", r.body()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/problem+json");
    assertThat(r.body().getString("code")).isEqualTo(code);
    assertThat(keys.newKeys(redis)).as("keys in Redis").isEmpty();
    assertThat(p.twilio.requestCount()).isEqualTo(sms);
  }

  @Test
  void labelsMayHaveAnyPrintableCharacterEmojiIncluded() {
    TestPlatform.Reply r = p.post("/v1/accounts/" + account("zoe") + "/factors/totp", ACME_KEY,
        new JsonObject().put("label", "Zoë's phone \uD83D\uDCF1").encode());
    assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
    assertThat(r.body().getString("label")).isEqualTo("Zoë's phone \uD83D\uDCF1");
  }

  @Test
  void accountRoutesNeedAKeyAndLimitTheBody() {
    assertThat(p.post("/v1/accounts/eve/factors/totp", null, "{}").status()).isEqualTo(401);
    assertThat(p.get("/v1/accounts/eve", "wrong-key").status()).isEqualTo(401);
    RedisSnapshot keys = RedisSnapshot.of(redis);
    TestPlatform.Reply huge = p.post("/v1/accounts/eve/devices", ACME_KEY, "{\"name\": \"" + "x".repeat(1024 * 1024) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(keys.newKeys(redis)).as("keys written to Redis").isEmpty();
    // An unknown account reads like one without factors, and reading writes nothing.
    JsonObject unknown = p.get("/v1/accounts/never-seen-" + System.nanoTime(), ACME_KEY).body();
    assertThat(unknown.getJsonArray("factors")).isEmpty();
    assertThat(unknown.getJsonArray("devices")).isEmpty();
    assertThat(unknown.getJsonObject("recovery_codes").getInteger("remaining")).isZero();
    assertThat(keys.newKeys(redis)).as("keys written to Redis").isEmpty();
  }
}
