package io.otpflow.gateway.dev;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * GET /dev/outbox (development mode only): the messages the local outbox provider "sent", newest
 * first, read from the JSON-lines file it appends to. Codes are in clear here by design: there is no
 * phone in development, so this page is the phone. The route does not exist unless the file is configured.
 */
public final class DevOutboxRoute {
  private static final int MAX_SHOWN = 200;
  /** Enough for MAX_SHOWN messages; the file itself grows without bound over a long development run. */
  private static final int TAIL_BYTES = 256 * 1024;
  private final Path file;

  public DevOutboxRoute(Path file) {
    this.file = file;
  }

  public void handle(RoutingContext ctx) {
    ctx.vertx()
        .executeBlocking(this::read, false)
        .onSuccess(
            messages ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .putHeader("cache-control", "no-store")
                    .end(new JsonObject().put("messages", messages).encode()))
        .onFailure(ctx::fail);
  }

  /** The newest messages first, as GET /dev/outbox shows them (blocking: file I/O). */
  JsonArray read() throws IOException {
    List<String> lines;
    try {
      lines = tail();
    } catch (NoSuchFileException e) {
      lines = List.of();
    }
    JsonArray newestFirst = new JsonArray();
    for (int i = lines.size() - 1; i >= 0 && newestFirst.size() < MAX_SHOWN; i--) {
      if (!lines.get(i).isBlank()) {
        try {
          newestFirst.add(new JsonObject(lines.get(i)));
        } catch (io.vertx.core.json.DecodeException e) {
          // The line a dispatcher is appending right now (cut off), or not one of the outbox's: left out,
          // rather than failing the whole page.
        }
      }
    }
    return newestFirst;
  }

  /** The complete lines in the last TAIL_BYTES of the file. */
  private List<String> tail() throws IOException {
    try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, in.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (in.length() - start)];
      in.seek(start);
      in.readFully(bytes);
      List<String> lines = new java.util.ArrayList<>(new String(bytes, StandardCharsets.UTF_8).lines().toList());
      if (start > 0 && !lines.isEmpty()) {
        lines.remove(0); // cut in the middle
      }
      return lines;
    } catch (java.io.FileNotFoundException e) {
      throw new NoSuchFileException(file.toString());
    }
  }
}
