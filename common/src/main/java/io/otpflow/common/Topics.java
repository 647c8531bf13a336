package io.otpflow.common;

import java.util.List;

/** Kafka topic and header names, shared by producers, consumers and tests. See docs/architecture.md. */
public final class Topics {
  /** Gateway → issuer requests (send, status); key = verification id. */
  public static final String ISSUER_REQUESTS = "otp.issuer-requests.v1";
  /** Gateway → verifier check requests; key = verification id. */
  public static final String VERIFIER_REQUESTS = "otp.verifier-requests.v1";
  /** Replies to the gateway instance named in the {@link #REPLY_TO} header; key = that instance id. */
  public static final String REPLIES = "otp.replies.v1";
  /** Issuer → SMS dispatcher; the code inside is sealed; key = verification id. */
  public static final String SMS_DISPATCH = "otp.sms-dispatch.v1";
  /**
   * Issuer → push dispatcher, one event per device of the account; the token and (code mode) the
   * code inside are sealed; key = verification id.
   */
  public static final String PUSH_DISPATCH = "otp.push-dispatch.v1";
  /** Dispatchers and the gateway's provider webhook → issuer (and verifier, for dead push tokens); key = verification id. */
  public static final String DELIVERY_REPORTS = "otp.delivery-reports.v1";
  /** Verifier → anyone interested (audit, metrics); key = verification id. */
  public static final String VERDICTS = "otp.verdicts.v1";
  /** Gateway → verifier requests about an account's factors (enrol, confirm, list, remove); key = account hash. */
  public static final String ACCOUNT_REQUESTS = "otp.account-requests.v1";
  /** Verifier → anyone: factor added, confirmed, removed (and by whom, why); key = account hash. No secrets. */
  public static final String ACCOUNT_EVENTS = "otp.account-events.v1";
  /** Records no consumer can process, and permanent dispatch failures, with the reason in headers. */
  public static final String DEAD_LETTERS = "otp.dead-letters.v1";

  public static final List<String> ALL =
      List.of(
          ISSUER_REQUESTS, VERIFIER_REQUESTS, REPLIES, SMS_DISPATCH, PUSH_DISPATCH, DELIVERY_REPORTS, VERDICTS,
          ACCOUNT_REQUESTS, ACCOUNT_EVENTS, DEAD_LETTERS);

  /** Correlates a reply with its request. */
  public static final String REQUEST_ID = "otp-request-id";
  /** The gateway instance that waits for the reply. */
  public static final String REPLY_TO = "otp-reply-to";
  /** The request's deadline (epoch millis): a consumer skips requests nobody waits for any more. */
  public static final String DEADLINE = "otp-deadline";
  /** Dead letters: why, and where the record came from. */
  public static final String DEAD_LETTER_REASON = "otp-dead-letter-reason";
  public static final String DEAD_LETTER_SOURCE = "otp-dead-letter-source";

  private Topics() {}
}
