package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.common.Json;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Topics;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development mode of `./otpflow up`: SMS and push go to a local outbox, readable at GET /dev/outbox. */
class DevOutboxTest {
  /** The outbox file's folder. */
  @TempDir static Path folder;
  static Path outbox;
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    outbox = folder.resolve("outbox.jsonl");
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(), Map.of(
        "SMS_PROVIDER", "outbox",
        "PUSH_PROVIDER", "outbox",
        "OTPFLOW_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_DEVICES", "true"));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void theOutboxShowsTheNewestMessageFirstAndItsCodeApproves() {
    assertThat(sms()).isEmpty();
    String first = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String to = TestPlatform.uniquePhone();
    String second = p.sendSms(ACME_KEY, to);
    JsonArray messages = await().atMost(Duration.ofSeconds(20)).until(this::sms, m -> m.size() == 2);
    JsonObject newest = messages.getJsonObject(0);
    assertThat(newest.getString("verification_id")).isIn(first, second);
    assertThat(messages.getJsonObject(0).getString("sent_at")).isGreaterThanOrEqualTo(messages.getJsonObject(1).getString("sent_at"));
    JsonObject mine = newest.getString("verification_id").equals(second) ? newest : messages.getJsonObject(1);
    assertThat(mine.getString("to")).isEqualTo(to);
    String code = mine.getString("body").replaceAll(".*code is (\\d+).*", "$1");
    assertThat(p.check(ACME_KEY, second, code).body().getString("status")).isEqualTo("approved");
    assertThat(p.twilio.requestCount()).as("nothing went to the provider").isZero();
  }

  /**
   * A push dispatch event, as the issuer publishes it for each device of an account, lands in the
   * same outbox with its device, platform, mode and code, but not its token.
   */
  @Test
  void aPushShowsItsDeviceModeAndCodeButNotItsToken() throws Exception {
    String vid = "VE" + java.util.UUID.randomUUID().toString().replace("-", "");
    String device = "DV" + java.util.UUID.randomUUID().toString().replace("-", "");
    String token = "apns-device-token-" + java.util.UUID.randomUUID();
    SecretBox address = new SecretBox(SecretBox.parseKeys("keys", p.env.get(PlatformKeys.ADDRESS_KEYS)));
    SecretBox dispatch = new SecretBox(SecretBox.parseKeys("keys", p.env.get(PlatformKeys.DISPATCH_KEYS)));
    PushDispatch push = new PushDispatch(java.util.UUID.randomUUID().toString(), Instant.now(), "acme", vid, "alice",
        device, "apns", address.seal(token, "push-token|acme|alice"), "code", dispatch.seal("731904", vid), "Acme",
        "Your Acme code is {code}.", false, Instant.now().plus(Duration.ofMinutes(5)));
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "dev-outbox-test", 3).producer())) {
      producer.send(new ProducerRecord<>(Topics.PUSH_DISPATCH, vid, Json.write(push))).get(10, TimeUnit.SECONDS);
    }
    JsonObject shown = await().atMost(Duration.ofSeconds(20)).until(
        () -> p.get("/dev/outbox", null).body().getJsonArray("messages").stream().map(JsonObject.class::cast)
            .filter(m -> vid.equals(m.getString("verification_id"))).findFirst(), java.util.Optional::isPresent).get();
    assertThat(shown.getString("channel")).isEqualTo("push");
    assertThat(shown.getString("device_id")).isEqualTo(device);
    assertThat(shown.getString("platform")).isEqualTo("apns");
    assertThat(shown.getString("mode")).isEqualTo("code");
    assertThat(shown.getString("body")).isEqualTo("Your Acme code is 731904.");
    assertThat(shown.getString("code")).isEqualTo("731904");
    assertThat(shown.encode()).doesNotContain(token);
  }

  /**
   * The whole approve flow by hand, with no phone: the page adds a simulated device to an account
   * (it keeps the private key), a push reaches it in the outbox, and the page's Approve button sends
   * an answer it signed, which the verifier checks like any device's. No script, a strict policy,
   * escaped text, and forms that work only with the page's token.
   */
  @Test
  void theOutboxPageSimulatesAPhoneThatApprovesAndDeniesWithSignedAnswers() {
    String account = "dev-team-" + System.nanoTime();
    TestPlatform.Reply page = p.get("/dev/outbox.html", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("content-type")).startsWith("text/html");
    assertThat(page.header("content-security-policy")).startsWith("default-src 'none'; style-src 'self';")
        .contains("form-action 'self'", "frame-ancestors 'none'");
    assertThat(page.header("x-frame-options")).isEqualTo("DENY");
    assertThat(page.raw().body()).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
    String token = formToken(page);

    TestPlatform.Reply refused = form("/dev/devices", Map.of("tenant", "acme", "account", account, "platform", "apns",
        "label", "Alice", "form_token", "0".repeat(48)));
    assertThat(refused.status()).as("another site's form has no token").isEqualTo(403);
    TestPlatform.Reply added = form("/dev/devices", Map.of("tenant", "acme", "account", account, "platform", "apns",
        "label", "Alice", "form_token", token));
    assertThat(added.status()).isEqualTo(303);
    assertThat(added.header("location")).isEqualTo("/dev/outbox.html?result=device-added");
    JsonArray devices = p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body().getJsonArray("devices");
    assertThat(devices).hasSize(1);
    String device = devices.getJsonObject(0).getString("id");
    assertThat(devices.getJsonObject(0).getString("label")).isEqualTo("Alice");

    // The context is the caller's text: on the page it is shown, never run.
    TestPlatform.Reply created = p.post("/v1/verifications", ACME_KEY, new JsonObject().put("channel", "push")
        .put("account", account).put("number_matching", true).put("context", "<script>alert(1)</script>").encode());
    assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
    String id = created.body().getString("id");
    int number = created.body().getInteger("number");
    String shown = await().atMost(Duration.ofSeconds(20)).until(() -> p.get("/dev/outbox.html", null).raw().body(),
        html -> html.contains("name=\"verification_id\" value=\"" + id + "\""));
    assertThat(shown).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert")
        .contains("name=\"number\"").contains(device);

    TestPlatform.Reply wrong = form("/dev/answers", Map.of("verification_id", id, "device_id", device, "decision", "approve",
        "number", Integer.toString(number == 99 ? 10 : number + 1), "form_token", token));
    assertThat(wrong.header("location")).isEqualTo("/dev/outbox.html?result=wrong-number");
    TestPlatform.Reply right = form("/dev/answers", Map.of("verification_id", id, "device_id", device, "decision", "approve",
        "number", Integer.toString(number), "form_token", token));
    assertThat(right.header("location")).isEqualTo("/dev/outbox.html?result=approved");
    JsonObject v = p.get("/v1/verifications/" + id, ACME_KEY).body();
    assertThat(v.getString("status")).isEqualTo("approved");
    assertThat(v.getJsonObject("answered_by").getString("device_id")).isEqualTo(device);
    assertThat(p.get("/dev/outbox.html?result=approved", null).raw().body()).contains("Approved");

    String denied = p.post("/v1/verifications", ACME_KEY, new JsonObject().put("channel", "push").put("account", account)
        .encode()).body().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> p.get("/dev/outbox.html", null).raw().body().contains(denied));
    assertThat(form("/dev/answers", Map.of("verification_id", denied, "device_id", device, "decision", "deny",
        "form_token", token)).header("location")).isEqualTo("/dev/outbox.html?result=denied");
    assertThat(p.get("/v1/verifications/" + denied, ACME_KEY).body().getString("status")).isEqualTo("denied");
    assertThat(form("/dev/answers", Map.of("verification_id", denied, "device_id", "DV" + "0".repeat(32), "decision", "deny",
        "form_token", token)).header("location")).as("a device the page holds no key for").isEqualTo("/dev/outbox.html?result=invalid");
  }

  private static String formToken(TestPlatform.Reply page) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"form_token\" value=\"([0-9a-f]{48})\"")
        .matcher(page.raw().body());
    assertThat(m.find()).as("the page's form token").isTrue();
    return m.group(1);
  }

  /** Posts a form as the browser does (urlencoded), without following the redirect. */
  private static TestPlatform.Reply form(String path, Map<String, String> fields) {
    StringBuilder body = new StringBuilder();
    fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
    return p.call(java.net.http.HttpRequest.newBuilder(java.net.URI.create(p.gatewayUrl() + path))
        .timeout(Duration.ofSeconds(15)).header("content-type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build());
  }

  private JsonArray sms() {
    JsonArray all = p.get("/dev/outbox", null).body().getJsonArray("messages");
    return new JsonArray(all.stream().filter(m -> "sms".equals(((JsonObject) m).getString("channel"))).toList());
  }
}
