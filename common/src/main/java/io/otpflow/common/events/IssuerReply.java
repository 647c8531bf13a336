package io.otpflow.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The issuer's answer to an {@link IssuerRequest}, published on {@code otp.replies.v1}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IssuerReply.Created.class, name = "created"),
  @JsonSubTypes.Type(value = IssuerReply.Found.class, name = "found"),
  @JsonSubTypes.Type(value = IssuerReply.RateLimited.class, name = "rate_limited"),
  @JsonSubTypes.Type(value = IssuerReply.NotFound.class, name = "not_found"),
  @JsonSubTypes.Type(value = IssuerReply.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = IssuerReply.Unavailable.class, name = "unavailable")
})
public sealed interface IssuerReply {

  /** A verification was started, or (replayed = true) an earlier one with the same idempotency key is returned. */
  record Created(VerificationView verification, boolean replayed) implements IssuerReply {}

  record Found(VerificationView verification) implements IssuerReply {}

  /**
   * A send limit was hit; {@code reason} is low-cardinality (destination, interval, account, ip, tenant),
   * {@link #SPEND_CAP} when the tenant's daily spend cap is reached (retry after the next UTC midnight),
   * or {@link #UNANSWERED} when the push fatigue guard refuses (too many push verifications of the
   * account since its last success).
   */
  record RateLimited(String reason, long retryAfterSeconds) implements IssuerReply {
    public static final String SPEND_CAP = "spend_cap";
    public static final String UNANSWERED = "unanswered";
  }

  record NotFound() implements IssuerReply {}

  /** The request is valid JSON but cannot be served as asked (stable error code for the API). */
  record Rejected(String errorCode, String detail) implements IssuerReply {}

  /** A dependency (Redis, Kafka) failed; the gateway answers 503. */
  record Unavailable(String reason) implements IssuerReply {}
}
