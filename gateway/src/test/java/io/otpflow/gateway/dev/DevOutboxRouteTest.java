package io.otpflow.gateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevOutboxRouteTest {
  @TempDir
  Path dir;

  @Test
  void aLineStillBeingWrittenOrNotJsonIsLeftOutNotAFailure() throws Exception {
    Path file = dir.resolve("outbox.jsonl");
    // A dispatcher appends while the page reads: the last line may be cut off; a stray line is not JSON.
    Files.writeString(file, "{\"verification_id\": \"VE1\", \"body\": \"first\"}\n"
        + "not json at all\n"
        + "{\"verification_id\": \"VE2\", \"body\": \"second\"}\n"
        + "{\"verification_id\": \"VE3\", \"bo");
    JsonArray messages = new DevOutboxRoute(file).read();
    assertThat(messages).hasSize(2);
    assertThat(messages.getJsonObject(0).getString("verification_id")).isEqualTo("VE2");
    assertThat(messages.getJsonObject(1).getString("verification_id")).isEqualTo("VE1");
  }

  @Test
  void noFileYetIsAnEmptyOutbox() throws Exception {
    assertThat(new DevOutboxRoute(dir.resolve("missing.jsonl")).read()).isEmpty();
  }
}
