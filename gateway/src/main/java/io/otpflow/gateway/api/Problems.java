package io.otpflow.gateway.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Errors as RFC 9457 problem details. {@code type} is a stable URI per error code and {@code code}
 * the same code on its own, so clients can switch on it without parsing prose.
 */
public final class Problems {
  static final String CONTENT_TYPE = "application/problem+json";
  /** A JsonObject put here under this key adds its fields to the next problem sent (e.g. attempts_left). */
  static final String EXTRA = "otpflow.problem-extra";

  private Problems() {}

  public static void send(RoutingContext ctx, int status, String code, String detail) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject body =
        new JsonObject()
            .put("type", "https://otpflow.dev/problems/" + code)
            .put("title", title(status))
            .put("status", status)
            .put("code", code)
            .put("detail", detail);
    JsonObject extra = ctx.get(EXTRA);
    if (extra != null) {
      body.mergeIn(extra);
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", CONTENT_TYPE)
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 503 -> "Service Unavailable";
      default -> "Error";
    };
  }
}
