package io.otpflow.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The verifier's answer to an {@link AccountRequest}, on {@code otp.replies.v1}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "outcome")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AccountReply.Done.class, name = "done"),
  @JsonSubTypes.Type(value = AccountReply.Denied.class, name = "denied"),
  @JsonSubTypes.Type(value = AccountReply.ProofRefused.class, name = "proof_refused"),
  @JsonSubTypes.Type(value = AccountReply.Locked.class, name = "locked"),
  @JsonSubTypes.Type(value = AccountReply.NotFound.class, name = "not_found"),
  @JsonSubTypes.Type(value = AccountReply.Rejected.class, name = "rejected"),
  @JsonSubTypes.Type(value = AccountReply.Unavailable.class, name = "unavailable")
})
public sealed interface AccountReply {
  /**
   * The request was carried out (or, for a redelivered request, had been); the account as it is now.
   *
   * @param factorId the factor or device the request created or changed (a re-registered token: its
   *     existing device's id), or null
   */
  record Done(AccountView account, String factorId) implements AccountReply {
    public Done(AccountView account) {
      this(account, null);
    }
  }

  /** A confirmation code was wrong; after the last attempt the unconfirmed factor is gone. */
  record Denied(int attemptsLeft) implements AccountReply {}

  /** The change needs proof and none, or no valid one, was given; {@code reason} is proof-required or invalid-proof. */
  record ProofRefused(String reason) implements AccountReply {}

  /** Too many consecutive failures: the account's codes are locked for a while. */
  record Locked(long retryAfterSeconds) implements AccountReply {}

  /** No such factor (or device) on this account. */
  record NotFound() implements AccountReply {}

  /** Valid JSON that cannot be served as asked (stable error code for the API). */
  record Rejected(String errorCode, String detail) implements AccountReply {}

  record Unavailable(String reason) implements AccountReply {}
}
