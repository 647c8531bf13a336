package io.otpflow.push.provider;

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
 * The development provider: instead of reaching a phone, appends each push as one JSON line to the
 * outbox file the SMS outbox writes too (OTPFLOW_OUTBOX_FILE), which the gateway shows at GET
 * /dev/outbox. A line has {@code channel: "push"}, the device and platform, the mode, the text as the
 * phone would show it and, in code mode, the code: in clear, development only. The token is left out.
 *
 * <p>Each line is one append of a few hundred bytes, which the operating system writes at once, so
 * lines of this and of the SMS outbox writing the same file do not interleave.
 */
public final class OutboxPushSender implements PushSender {
  public static final String PROVIDER = "outbox";
  private final Path file;
  private final Clock clock;

  public OutboxPushSender(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public synchronized PushOutcome send(PushMessage message) {
    String id = "OB" + UUID.randomUUID().toString().replace("-", "");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", id);
    line.put("channel", "push");
    line.put("verification_id", message.verificationId());
    line.put("tenant", message.tenant());
    line.put("device_id", message.deviceId());
    line.put("platform", message.platform());
    line.put("mode", message.mode());
    line.put("title", message.title());
    line.put("body", message.body());
    if (message.code() != null) {
      line.put("code", message.code());
    }
    line.put("number_matching", message.numberMatching());
    line.put("expires_at", message.expiresAt().toString());
    line.put("sent_at", clock.instant().toString());
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, (Json.writeString(line) + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return new PushOutcome.Accepted(id);
    } catch (IOException e) {
      return new PushOutcome.Retryable("outbox file not writable: " + e.getClass().getSimpleName(), null);
    }
  }
}
