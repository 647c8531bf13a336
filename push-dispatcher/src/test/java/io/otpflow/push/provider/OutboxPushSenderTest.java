package io.otpflow.push.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxPushSenderTest {
  @TempDir
  Path dir;

  @Test
  void eachPushIsOneJsonLineWithDeviceModeTextAndCodeButNoToken() throws Exception {
    Path file = dir.resolve("sub/outbox.jsonl");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"id\":\"OBsms\",\"channel\":\"sms\",\"body\":\"an SMS line already there\"}\n");
    OutboxPushSender outbox = new OutboxPushSender(file, new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
    PushMessage code = new PushMessage(PushMessage.Kind.NOTIFY, "acme", "VE" + "1".repeat(32), "DV" + "2".repeat(32),
        "apns", "secret-device-token", "code", "Acme", "Your Acme code is 424242.", "424242", false,
        Instant.parse("2026-11-24T10:05:00Z"));
    PushMessage approve = new PushMessage(PushMessage.Kind.NOTIFY, "acme", "VE" + "1".repeat(32), "DV" + "3".repeat(32),
        "fcm", "another-secret-token", "approve", "Acme", "Approve sign-in to Acme?", null, true,
        Instant.parse("2026-11-24T10:05:00Z"));

    assertThat(outbox.send(code)).isInstanceOf(PushOutcome.Accepted.class);
    assertThat(outbox.send(approve)).isInstanceOf(PushOutcome.Accepted.class);

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    JsonObject first = new JsonObject(lines.get(1));
    assertThat(first.getString("channel")).isEqualTo("push");
    assertThat(first.getString("device_id")).isEqualTo(code.deviceId());
    assertThat(first.getString("platform")).isEqualTo("apns");
    assertThat(first.getString("mode")).isEqualTo("code");
    assertThat(first.getString("body")).isEqualTo("Your Acme code is 424242.");
    assertThat(first.getString("code")).isEqualTo("424242");
    assertThat(first.getString("sent_at")).isEqualTo("2026-11-24T10:00:00Z");
    JsonObject second = new JsonObject(lines.get(2));
    assertThat(second.containsKey("code")).isFalse();
    assertThat(second.getBoolean("number_matching")).isTrue();
    assertThat(String.join("\n", lines)).doesNotContain("secret-device-token").doesNotContain("another-secret-token");
  }

  @Test
  void anUnwritableOutboxIsRetryable() throws Exception {
    Path blocker = dir.resolve("not-a-folder");
    Files.writeString(blocker, "x");
    OutboxPushSender outbox = new OutboxPushSender(blocker.resolve("outbox.jsonl"), new MutableClock(Instant.EPOCH));
    PushMessage m = new PushMessage(PushMessage.Kind.NOTIFY, "acme", "VE" + "1".repeat(32), "DV" + "2".repeat(32), "apns",
        "t", "approve", "Acme", "Approve?", null, false, Instant.EPOCH.plusSeconds(60));
    assertThat(outbox.send(m)).isInstanceOf(PushOutcome.Retryable.class);
  }
}
