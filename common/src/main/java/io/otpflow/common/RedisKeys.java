package io.otpflow.common;

/**
 * Redis key families and hash fields, shared by the services that write and read them. Keys carry
 * hash tags ({...}) so that the keys one script touches live in one Redis Cluster slot: a
 * verification's own keys by its id, limit and lock keys by tenant. See docs/architecture.md.
 */
public final class RedisKeys {
  /** Hash: one verification's state (issuer writes, verifier updates status and attempts). */
  public static String verification(String id) {
    return "otp:v:{" + id + "}";
  }

  /** String: the pending verification for a destination, so a new send voids the old one (issuer). */
  public static String destination(String tenant, String destinationHash) {
    return "otp:dest:{t:" + tenant + "}:" + destinationHash;
  }

  /** Hash: verification id and request fingerprint for an Idempotency-Key (issuer). */
  public static String idempotency(String tenant, String keyHash) {
    return "otp:idem:{t:" + tenant + "}:" + keyHash;
  }

  /** Sorted set: sliding-window send log for one limit (issuer). */
  public static String sendLimit(String tenant, String kind, String subject) {
    return "otp:rl:{t:" + tenant + "}:" + kind + ":" + subject;
  }

  /** Hash: consecutive failed checks and lock-until for one account (verifier). */
  public static String accountLock(String tenant, String accountHash) {
    return "otp:lock:{t:" + tenant + "}:" + accountHash;
  }

  /**
   * String: the provider send claim for one dispatch event ("sending", "sent:&lt;provider id&gt;",
   * "failed"), so a redelivered event sends nothing (SMS dispatcher).
   */
  public static String smsSent(String verificationId, String dispatchEventId) {
    return "otp:sms:{" + verificationId + "}:" + dispatchEventId;
  }

  /**
   * Hash: the push dispatcher's state for one verification: per device the send claim
   * ({@code c:<device>}), the withdrawal claim ({@code w:<device>}), the pending retry's event
   * ({@code r:c:<device>}, {@code r:w:<device>}), the record of a device whose push was accepted
   * ({@code d:<device>}: platform, sealed token), and {@code decided} once a verdict arrived.
   */
  public static String pushState(String verificationId) {
    return "otp:push:{" + verificationId + "}";
  }

  /**
   * Sorted set: push sends and withdrawals waiting for their next attempt, score = when it is due
   * (epoch ms), member = {@code <verification id> <claim field> <attempt>} (push dispatcher).
   */
  public static final String PUSH_RETRIES = "otp:push:retries";

  /** Fields of the {@link #verification} hash. */
  public static final class Field {
    public static final String TENANT = "tenant";
    public static final String CHANNEL = "channel";
    public static final String TO_MASKED = "to";
    public static final String ACCOUNT = "account";
    public static final String MAC = "mac";
    public static final String STATUS = "status";
    public static final String CREATED = "created";
    public static final String EXPIRES = "exp";
    public static final String ATTEMPTS = "att";
    public static final String MAX_ATTEMPTS = "max";
    public static final String DELIVERY = "delivery";
    public static final String DISPATCHED = "dispatched";

    private Field() {}
  }

  private RedisKeys() {}
}
