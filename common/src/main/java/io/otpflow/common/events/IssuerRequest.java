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
   * @param to E.164 destination, already validated by the gateway
   * @param account the caller's external account id, or null
   * @param clientIp the end user's IP as the calling application reported it (client_ip), for per-IP
   *     send limits; null when not given. The gateway's peer is the tenant's server, not the user.
   * @param idempotencyKey the client's Idempotency-Key header, or null
   * @param fingerprint hash of the request body, so an idempotency key reused for another request is refused
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
      String fingerprint)
      implements IssuerRequest {
    public Send {
      Json.require(eventId, "event_id");
      Json.require(tenant, "tenant");
      Json.require(verificationId, "verification_id");
      Json.require(channel, "channel");
      Json.require(to, "to");
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
