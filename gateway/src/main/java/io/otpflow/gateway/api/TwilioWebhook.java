package io.otpflow.gateway.api;

import com.twilio.security.RequestValidator;
import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import io.otpflow.common.kafka.RequestReplyClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twilio's StatusCallback: checks X-Twilio-Signature (HMAC-SHA1 with the auth token over the public
 * URL and the form parameters), then turns the message status into a delivery report event. The
 * dispatcher put the verification id and tenant in the callback URL's query, which the signature covers.
 */
public final class TwilioWebhook {
  /** Where Twilio posts delivery receipts; OTPFLOW_STATUS_CALLBACK_URL must point here. */
  public static final String PATH = "/webhooks/twilio/status";
  private static final Logger LOG = LoggerFactory.getLogger(TwilioWebhook.class);
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern ERROR_CODE = Pattern.compile("[0-9]{1,6}");

  private final RequestValidator validator;
  private final URI publicUrl;
  private final RequestReplyClient kafka;
  private final MeterRegistry metrics;

  public TwilioWebhook(String authToken, URI publicUrl, RequestReplyClient kafka, MeterRegistry metrics) {
    this.validator = new RequestValidator(authToken);
    this.publicUrl = publicUrl;
    this.kafka = kafka;
    this.metrics = metrics;
  }

  public void handle(RoutingContext ctx) {
    String signature = ctx.request().getHeader("x-twilio-signature");
    MultiMap form = ctx.request().formAttributes();
    Map<String, String> params = new HashMap<>();
    form.forEach(e -> params.put(e.getKey(), e.getValue()));
    String url = publicUrl.toString().replaceAll("/$", "") + ctx.request().uri();
    if (signature == null || !validator.validate(url, params, signature)) {
      Problems.send(ctx, 403, "invalid-signature", "The request is not signed by the provider.");
      return;
    }
    String verificationId = ctx.queryParams().get("v");
    String tenant = ctx.queryParams().get("t");
    String state = state(params.get("MessageStatus"));
    if (verificationId == null || !VERIFICATION_ID.matcher(verificationId).matches()
        || tenant == null || !TENANT.matcher(tenant).matches()) {
      Problems.send(ctx, 400, "invalid-callback", "The callback does not name a verification.");
      return;
    }
    if (state == null) {
      ctx.response().setStatusCode(204).end(); // queued, sending, accepted: nothing new to report
      return;
    }
    String errorCode = params.get("ErrorCode");
    DeliveryReport report =
        new DeliveryReport(
            UUID.randomUUID().toString(), Instant.now(), tenant, verificationId, "sms", "twilio", state,
            params.get("MessageSid"),
            errorCode != null && ERROR_CODE.matcher(errorCode).matches() ? errorCode : null, null, null);
    io.vertx.core.Future.fromCompletionStage(kafka.publish(Topics.DELIVERY_REPORTS, verificationId, report), ctx.vertx().getOrCreateContext())
        .onComplete(done -> {
          if (done.failed()) {
            LOG.warn("Could not publish the delivery report of verification {}: {}", verificationId, done.cause().toString());
            // A 5xx tells Twilio the callback failed; whether it retries depends on the callback URL's settings.
            Problems.send(ctx, 503, "platform-unavailable", "Could not record the status; retry.");
          } else {
            io.micrometer.core.instrument.Counter.builder(Metrics.DELIVERY_REPORTS)
                .description("Provider delivery receipts the gateway's webhook accepted and published")
                .tags(Metrics.TAG_PROVIDER, "twilio", Metrics.TAG_STATE, state, Metrics.TAG_TENANT, tenant)
                .register(metrics).increment();
            ctx.response().setStatusCode(204).end();
          }
        });
  }

  private static String state(String messageStatus) {
    if (messageStatus == null) {
      return null;
    }
    return switch (messageStatus) {
      case "sent" -> "sent";
      case "delivered", "read" -> "delivered";
      case "undelivered" -> "undelivered";
      case "failed" -> "failed";
      default -> null;
    };
  }
}
