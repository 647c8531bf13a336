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
  @JsonSubTypes.Type(value = CheckReply.Declined.class, name = "declined"),
  @JsonSubTypes.Type(value = CheckReply.Refused.class, name = "refused"),
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

  /** Already approved, denied by a device, or voided by a newer send: a code (or an answer) counts once. */
  record NotPending(String status) implements CheckReply {}

  record NotFound() implements CheckReply {}

  /** A push device answered deny: the verification is now denied, for good. */
  record Declined() implements CheckReply {}

  /**
   * Decided nothing and spent nothing: {@link #INVALID_SIGNATURE} (the signature does not verify, or
   * the device is not an active device of the verification's account), {@link #CODE_EXPECTED} (an
   * answer for a verification that is checked with a code) or {@link #ANSWER_EXPECTED} (a code for a
   * push verification that a device approves or denies).
   */
  record Refused(String reason) implements CheckReply {
    public static final String INVALID_SIGNATURE = "invalid-signature";
    public static final String CODE_EXPECTED = "code-expected";
    public static final String ANSWER_EXPECTED = "answer-expected";
  }

  record Unavailable(String reason) implements CheckReply {}
}
