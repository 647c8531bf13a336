package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The development mode of `./otpflow up`: SMS go to a local outbox, readable at GET /dev/outbox. */
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
    assertThat(p.get("/dev/outbox", null).body().getJsonArray("messages")).isEmpty();
    String first = p.sendSms(ACME_KEY, TestPlatform.uniquePhone());
    String to = TestPlatform.uniquePhone();
    String second = p.sendSms(ACME_KEY, to);
    JsonArray messages = await().atMost(Duration.ofSeconds(20)).until(
        () -> p.get("/dev/outbox", null).body().getJsonArray("messages"), m -> m.size() == 2);
    JsonObject newest = messages.getJsonObject(0);
    assertThat(newest.getString("verification_id")).isIn(first, second);
    assertThat(messages.getJsonObject(0).getString("sent_at")).isGreaterThanOrEqualTo(messages.getJsonObject(1).getString("sent_at"));
    JsonObject mine = newest.getString("verification_id").equals(second) ? newest : messages.getJsonObject(1);
    assertThat(mine.getString("to")).isEqualTo(to);
    String code = mine.getString("body").replaceAll(".*code is (\\d+).*", "$1");
    assertThat(p.check(ACME_KEY, second, code).body().getString("status")).isEqualTo("approved");
    assertThat(p.twilio.requestCount()).as("nothing went to the provider").isZero();
  }
}
