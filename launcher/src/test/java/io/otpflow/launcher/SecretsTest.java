package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.LONG_CODE_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.KafkaTopicReader;
import io.otpflow.testing.LogCapture;
import io.otpflow.testing.RedisFixture;
import io.otpflow.testing.TopicRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The code never appears in logs, in Redis or in clear on any Kafka topic, and phone numbers only
 * masked in logs. The tenant uses 10-digit codes so a chance match in ids or timestamps is negligible.
 */
@Tag(OptionalTools.TAG)
class SecretsTest {
  static TestPlatform p;
  static RedisFixture redisFixture;

  @BeforeAll
  static void start() throws Exception {
    redisFixture = RedisFixture.shared();
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), redisFixture.uri());
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void theCodeIsNowhereButInTheSms() throws Exception {
    String to = TestPlatform.uniquePhone();
    String code;
    List<String> logs;
    try (LogCapture root = LogCapture.attachToRoot(); LogCapture otpflow = LogCapture.attachTo("io.otpflow", Level.DEBUG)) {
      String id = p.sendSms(LONG_CODE_KEY, to);
      code = p.awaitCode(id);
      assertThat(code).hasSize(10);
      String wrong = code.startsWith("0") ? "1" + code.substring(1) : "0" + code.substring(1);
      assertThat(p.check(LONG_CODE_KEY, id, wrong).body().getString("status")).isEqualTo("denied");
      FakeTwilio.ReceivedSms sms = p.smsFor(id).orElseThrow();
      assertThat(p.twilio.sendStatusCallback(sms, "delivered", null).join()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(10)).until(
          () -> "delivered".equals(p.get("/v1/verifications/" + id, LONG_CODE_KEY).body().getString("delivery")));
      // Redis and Kafka are inspected while the code is still pending, when it is most at risk.
      assertThat(redisContents()).as("Redis").noneMatch(s -> s.contains(code));
      List<TopicRecord> records = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readEveryTopic();
      assertThat(records).as("records on Kafka").isNotEmpty();
      assertThat(records).as("Kafka").noneMatch(r -> r.contains(code));
      assertThat(p.check(LONG_CODE_KEY, id, code).body().getString("status")).isEqualTo("approved");
      logs = new ArrayList<>(root.messages());
      logs.addAll(otpflow.messages());
    }
    assertThat(logs).as("log lines").isNotEmpty();
    assertThat(logs).as("logs").noneMatch(line -> line.contains(code));
    assertThat(logs).as("logs show phone numbers masked only").noneMatch(line -> line.contains(to));
    assertThat(logs).anyMatch(line -> line.contains(to.substring(0, 4) + "******" + to.substring(to.length() - 2)));
  }

  /**
   * An authenticator app's secret and an account's recovery codes and push token: shown to the user
   * once (the secret and codes) and then nowhere in clear — not in Redis, not on any Kafka topic,
   * not in a log line, not in the account's listing.
   */
  @Test
  void factorSecretsAreNowhereInClear() throws Exception {
    String account = "secret-keeper-" + System.nanoTime();
    String token = AccountFactorsTest.apnsToken();
    String secret;
    List<String> codes;
    List<String> logs;
    try (LogCapture root = LogCapture.attachToRoot(); LogCapture otpflow = LogCapture.attachTo("io.otpflow", Level.DEBUG)) {
      TestPlatform.Reply enrolled = p.post("/v1/accounts/" + account + "/factors/totp", TestPlatform.ACME_KEY, "{}");
      assertThat(enrolled.status()).isEqualTo(201);
      secret = enrolled.body().getString("secret").replace(" ", "");
      TestPlatform.Reply rc = p.post("/v1/accounts/" + account + "/recovery-codes", TestPlatform.ACME_KEY, "");
      assertThat(rc.status()).isEqualTo(201);
      codes = rc.body().getJsonArray("codes").getList();
      AuthenticatorApp.Key key = AuthenticatorApp.parse(enrolled.body().getString("otpauth_uri"));
      String factor = enrolled.body().getString("factor_id");
      assertThat(p.post("/v1/accounts/" + account + "/factors/" + factor + "/confirm", TestPlatform.ACME_KEY,
          "{\"code\": \"" + AuthenticatorApp.code(key, p.clock.instant()) + "\"}").status()).isEqualTo(200);
      assertThat(p.post("/v1/accounts/" + account + "/devices", TestPlatform.ACME_KEY,
          new io.vertx.core.json.JsonObject().put("platform", "apns").put("token", token).put("name", "phone")
              .put("public_key", AccountFactorsTest.publicKey()).encode()).status()).isEqualTo(201);
      String listing = p.get("/v1/accounts/" + account, TestPlatform.ACME_KEY).raw().body();
      assertThat(listing).doesNotContain(secret).doesNotContain(token);
      codes.forEach(c -> assertThat(listing).doesNotContain(c).doesNotContain(c.replace("-", "")));
      logs = new ArrayList<>(root.messages());
      logs.addAll(otpflow.messages());
    }
    List<String> secrets = new ArrayList<>(List.of(secret, secret.toLowerCase(), token));
    codes.forEach(c -> secrets.addAll(List.of(c, c.replace("-", ""))));
    List<String> redis = redisContents();
    List<TopicRecord> records = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readEveryTopic();
    assertThat(records).anyMatch(r -> r.topic().equals(io.otpflow.common.Topics.ACCOUNT_EVENTS) && r.contains(account));
    for (String s : secrets) {
      assertThat(redis).as("Redis").noneMatch(v -> v.contains(s));
      assertThat(records).as("Kafka").noneMatch(r -> r.contains(s));
      assertThat(logs).as("logs").noneMatch(line -> line.contains(s));
    }
  }

  /**
   * Push: a code sent to every device (10 digits, tenant long), the devices' tokens, and a device's
   * answer signature appear in no Redis key or value, on no Kafka topic (the signature travels sealed)
   * and in no log line; the phones received the code, so it was there to leak.
   */
  @Test
  void pushCodesTokensAndSignaturesAreNowhereInClear() throws Exception {
    String account = "push-secrets-" + System.nanoTime();
    PhoneApp iphone = PhoneApp.iphone(p);
    PhoneApp pixel = PhoneApp.android(p);
    String code;
    String signature;
    List<String> logs;
    List<String> redis;
    List<TopicRecord> records;
    try (LogCapture root = LogCapture.attachToRoot(); LogCapture otpflow = LogCapture.attachTo("io.otpflow", Level.DEBUG)) {
      iphone.register(LONG_CODE_KEY, account, "iPhone", "Quinn");
      pixel.register(LONG_CODE_KEY, account, "Pixel", "Quinn");
      TestPlatform.Reply sent = p.post("/v1/verifications", LONG_CODE_KEY,
          "{\"channel\": \"push\", \"account\": \"" + account + "\", \"mode\": \"code\"}");
      assertThat(sent.status()).isEqualTo(201);
      String id = sent.body().getString("id");
      code = iphone.awaitPush(id).code();
      assertThat(code).hasSize(10).isEqualTo(pixel.awaitPush(id).code());
      // Inspected while the code is pending, when it is most at risk.
      redis = redisContents();
      records = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readEveryTopic();
      assertThat(records).as("Kafka").noneMatch(r -> r.contains(code));
      assertThat(redis).as("Redis").noneMatch(v -> v.contains(code));
      assertThat(p.check(LONG_CODE_KEY, id, code).body().getString("status")).isEqualTo("approved");

      TestPlatform.Reply approve = p.post("/v1/verifications", LONG_CODE_KEY,
          "{\"channel\": \"push\", \"account\": \"" + account + "\"}");
      String approveId = approve.body().getString("id");
      pixel.awaitPush(approveId);
      signature = PhoneApp.sign(pixel.keys, PhoneApp.signedText(approveId, "approve", null));
      assertThat(pixel.answer(null, approveId, "approve", null, signature).status()).isEqualTo(200);
      iphone.awaitWithdrawal(approveId);
      logs = new ArrayList<>(root.messages());
      logs.addAll(otpflow.messages());
    }
    redis = redisContents();
    records = new KafkaTopicReader(KafkaFixture.shared().bootstrapServers()).readEveryTopic();
    assertThat(records).anyMatch(r -> r.topic().equals(io.otpflow.common.Topics.PUSH_DISPATCH));
    assertThat(logs).as("log lines").isNotEmpty();
    for (String s : List.of(code, iphone.token, pixel.token, signature)) {
      assertThat(redis).as("Redis").noneMatch(v -> v.contains(s));
      assertThat(records).as("Kafka").noneMatch(r -> r.contains(s));
      assertThat(logs).as("logs").noneMatch(line -> line.contains(s));
    }
  }

  /** Every key and every value in the Redis the platform uses, as text. */
  private static List<String> redisContents() {
    List<String> all = new ArrayList<>();
    try (RedisClient redis = RedisClient.create(redisFixture.host(), redisFixture.port())) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = redis.scan(cursor, new ScanParams().count(500));
        for (String key : page.getResult()) {
          all.add(key);
          switch (redis.type(key)) {
            case "hash" -> redis.hgetAll(key).forEach((f, v) -> all.add(f + "=" + v));
            case "string" -> all.add(String.valueOf(redis.get(key)));
            case "zset" -> all.addAll(redis.zrange(key, 0, -1));
            case "set" -> all.addAll(redis.smembers(key));
            case "list" -> all.addAll(redis.lrange(key, 0, -1));
            default -> all.add("unknown type " + redis.type(key));
          }
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return all;
  }
}
