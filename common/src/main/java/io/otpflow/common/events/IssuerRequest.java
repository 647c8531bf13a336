package io.otpflow.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.otpflow.common.Json;
import java.time.Instant;

/**
 * Requests from the gateway to the issuer on {@code otp.issuer-requests.v1}, keyed by verification id.
 * The issuer answers each one with an {@link IssuerReply} on {@code otp.replies.v1}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IssuerRequest.Send.class, name = "send"),
  @JsonSubTypes.Type(value = IssuerRequest.Status.class, name = "status")
})
public sealed interface IssuerRequest {
  String eventId();

  Instant occurredAt();

  String tenant();

  String verificationId();

  /**
   * Start a verification: generate a code, store its keyed hash, dispatch it.
   *
   * @param channel sms, push, totp or another channel the issuer knows
   * @param to E.164 destination, already validated by the gateway; null when the channel or the
   *     account's factor names the destination (push, totp, an SMS to the account's phone factor)
   * @param account the caller's external account id, or null
   * @param clientIp the end user's IP as the calling application reported it (client_ip), for per-IP
   *     send limits; null when not given. The gateway's peer is the tenant's server, not the user.
   * @param idempotencyKey the client's Idempotency-Key header, or null
   * @param fingerprint hash of the request body, so an idempotency key reused for another request is refused
   * @param factorId the account's factor to use (a phone or an authenticator app), or null for the default
   * @param mode push only: code (the notification shows the code) or approve (the device answers)
   * @param numberMatching push approve only: the login screen shows a number the device must send back
   * @param context push approve only: where the sign-in comes from, shown in the prompt ("Firefox on Linux, Berlin")
   */
  record Send(
      String eventId,
      Instant occurredAt,
      String tenant,
      String verificationId,
      String channel,
      String to,
      String account,
      String clientIp,
      String idempotencyKey,
      String fingerprint,
      String factorId,
      String mode,
      Boolean numberMatching,
      String context)
      implements IssuerRequest {
    public Send {
      Json.require(eventId, "event_id");
      Json.require(tenant, "tenant");
      Json.require(verificationId, "verification_id");
      Json.require(channel, "channel");
    }

    /** An SMS send as the foundation knew it: a number, no factor, no push settings. */
    public static Send sms(String eventId, Instant occurredAt, String tenant, String verificationId, String to,
        String account, String clientIp, String idempotencyKey, String fingerprint) {
      return new Send(eventId, occurredAt, tenant, verificationId, "sms", to, account, clientIp, idempotencyKey,
          fingerprint, null, null, null, null);
    }

    @Override
    public String toString() {
      return "Send[verificationId=" + verificationId + ", tenant=" + tenant + ", channel=" + channel + "]";
    }
  }

  /** Read a verification's state, delivery included. */
  record Status(String eventId, Instant occurredAt, String tenant, String verificationId)
      implements IssuerRequest {
    public Status {
      Json.require(tenant, "tenant");
      Json.require(verificationId, "verification_id");
    }
  }
}
