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

/** The development mode of `./otpflow up`: SMS and push go to a local outbox, readable at GET /dev/outbox. */
class DevOutboxTest {
  static Path outbox;
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    outbox = Files.createTempDirectory("otpflow-outbox").resolve("outbox.jsonl");
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(), Map.of(
        "SMS_PROVIDER", "outbox",
        "OTPFLOW_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_OUTBOX_FILE", outbox.toString()));
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
   * A push dispatch event, as the issuer will publish it for each device of an account (issue 4, phase 2),
   * lands in the same outbox with its device, platform, mode and code, but not its token.
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

  private JsonArray sms() {
    JsonArray all = p.get("/dev/outbox", null).body().getJsonArray("messages");
    return new JsonArray(all.stream().filter(m -> "sms".equals(((JsonObject) m).getString("channel"))).toList());
  }
}
