package io.otpflow.sms;

import io.otpflow.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The development provider: instead of texting a phone, appends each message as a JSON line to a
 * file that the gateway shows at GET /dev/outbox. Messages hold codes in clear: development only.
 */
public final class OutboxSmsSender implements SmsSender {
  private final Path file;
  private final Clock clock;

  public OutboxSmsSender(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return "outbox";
  }

  @Override
  public synchronized SendOutcome send(SmsMessage message) {
    String id = "OB" + UUID.randomUUID().toString().replace("-", "");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", id);
    line.put("channel", "sms");
    line.put("verification_id", message.verificationId());
    line.put("to", message.to());
    line.put("from", message.from() != null ? message.from() : message.messagingServiceSid());
    line.put("body", message.body());
    line.put("sent_at", clock.instant().toString());
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file, Json.writeString(line) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new SendOutcome.Accepted(id);
    } catch (IOException e) {
      return new SendOutcome.Retryable("outbox file not writable: " + e.getClass().getSimpleName(), null);
    }
  }
}
