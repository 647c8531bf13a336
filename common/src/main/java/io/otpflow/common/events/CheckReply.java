package io.otpflow.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The verifier's answer to a {@link CheckRequest}, on {@code otp.replies.v1}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CheckReply.Approved.class, name = "approved"),
  @JsonSubTypes.Type(value = CheckReply.Denied.class, name = "denied"),
  @JsonSubTypes.Type(value = CheckReply.Expired.class, name = "expired"),
  @JsonSubTypes.Type(value = CheckReply.Locked.class, name = "locked"),
  @JsonSubTypes.Type(value = CheckReply.NotPending.class, name = "not_pending"),
  @JsonSubTypes.Type(value = CheckReply.NotFound.class, name = "not_found"),
  @JsonSubTypes.Type(value = CheckReply.Unavailable.class, name = "unavailable")
})
public sealed interface CheckReply {
  record Approved() implements CheckReply {}

  record Denied(int attemptsLeft) implements CheckReply {}

  record Expired() implements CheckReply {}

  /**
   * No more checks: the verification used all its attempts, or (retryAfterSeconds &gt; 0) the
   * account is locked for a while after too many consecutive failures.
   */
  record Locked(long retryAfterSeconds) implements CheckReply {}

  /** Already approved, or voided by a newer send: a code is good once. */
  record NotPending(String status) implements CheckReply {}

  record NotFound() implements CheckReply {}

  record Unavailable(String reason) implements CheckReply {}
}
