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

  /**
   * Sorted set: the push fatigue guard, one account's push verifications since its last success
   * (issuer adds through send-limits.lua, so the count is checked and recorded atomically with the
   * other limits; the verifier deletes it when a verification of the account is approved).
   */
  public static String pushUnanswered(String tenant, String accountMac) {
    return sendLimit(tenant, "unanswered", accountMac);
  }

  /** Hash: consecutive failed checks and lock-until for one account (verifier). */
  public static String accountLock(String tenant, String accountHash) {
    return "otp:lock:{t:" + tenant + "}:" + accountHash;
  }

  /**
   * Hash: one account's registry (verifier writes; issuer and push dispatcher read). The hash tag
   * is the tenant and the account's keyed hash, so every field of one account is changed by one
   * atomic script. Fields: see {@link AccountField}.
   */
  public static String account(String tenant, String accountMac) {
    return "otp:acct:{a:" + tenant + ":" + accountMac + "}";
  }

  /** Set: the hashes of a tenant's accounts that have an active factor or recovery codes ("who has 2FA"). */
  public static String accountsWithFactors(String tenant) {
    return "otp:accts:{t:" + tenant + "}";
  }

  /**
   * String: the provider send claim for one dispatch event (SMS dispatcher): a lease while a send is
   * in progress ({@code lease|<owner>|<until>|<phase>|<attempt>}, taken over when its owner died),
   * {@code retry:<n>}, {@code sent:<provider id>} or {@code failed}, so a redelivered event sends
   * nothing once the outcome is known.
   */
  public static String smsSent(String verificationId, String dispatchEventId) {
    return "otp:sms:{" + verificationId + "}:" + dispatchEventId;
  }

  /**
   * String: micro-units of money a tenant's admitted SMS sends have reserved on one UTC day
   * ({@code day} as 2026-11-24), against its daily spend cap (issuer).
   */
  public static String spend(String tenant, String day) {
    return "otp:spend:{t:" + tenant + "}:" + day;
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

  /**
   * Sorted set: SMS sends waiting for their next attempt, or held by a lease that a dead dispatcher
   * may have left behind; score = when it is due (epoch ms), member = {@code <attempt> <SmsDispatch
   * JSON>}, the event as it came (code sealed), so an entry is all a dispatcher needs to send. Like
   * {@link #PUSH_RETRIES}, one key: on a Redis Cluster the whole queue is one slot, touched by
   * single-key commands only (the claims it points to live in their verifications' slots).
   */
  public static final String SMS_RETRIES = "otp:sms:retries";

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
    /** The account factor the verification uses or confirms (a phone factor being enrolled, a TOTP factor). */
    public static final String FACTOR = "factor";
    /** Epoch ms of the approval, so a recent approval can serve once as proof for a factor change. */
    public static final String APPROVED_AT = "approved_at";
    /** Set once the approved verification was used as proof for a factor change. */
    public static final String PROOF_USED = "proof_used";
    /** The destination's ITU calling code ("44"), for funnel metrics after the number is masked. */
    public static final String COUNTRY_CODE = "cc";
    /** The provider named by the latest delivery report that moved the delivery state. */
    public static final String PROVIDER = "provider";
    /** Push: code or approve. */
    public static final String MODE = "mode";
    /** Push approve with number matching: the two-digit number the login screen shows. */
    public static final String NUMBER = "number";
    /**
     * Push code mode: the code sealed with the dispatch keys (associated data = verification id),
     * only until every device's dispatch event is acknowledged, so a re-dispatch sends every device
     * the same code instead of a fresh one some devices would never get; deleted with {@link #DISPATCHED}.
     */
    public static final String SEALED_CODE = "pcode";
    /** Prefix: one push device's delivery state ({@code queued}, {@code sent}, {@code failed:<reason>}). */
    public static final String DEVICE = "dv:";
    /** Push approve: the device whose answer decided, its name, its person's label, the decision and when. */
    public static final String ANSWER_DEVICE = "ans_dev";
    public static final String ANSWER_NAME = "ans_name";
    public static final String ANSWER_LABEL = "ans_label";
    public static final String ANSWER_DECISION = "ans_dec";
    public static final String ANSWER_AT = "ans_at";

    private Field() {}
  }

  /** Fields of the {@link #account} hash. */
  public static final class AccountField {
    /** The account id in clear (the tenant's own user id, needed to list who has 2FA). */
    public static final String ACCOUNT = "account";
    /** Incremented by every change; writes apply only on the version they were computed from. */
    public static final String VERSION = "ver";
    /** Prefix: factor or device JSON ({@code StoredFactor}), one field per id. */
    public static final String FACTOR = "f:";
    /** Prefix: the last accepted TOTP time step of a factor (replay guard: a step is accepted once). */
    public static final String STEP = "step:";
    /** Prefix: epoch ms a factor was last used. */
    public static final String USED = "used:";
    /** Prefix: Argon2id hash of one recovery code, under a short tag taken from its MAC. */
    public static final String RECOVERY = "rc:";
    public static final String RECOVERY_CREATED = "rc_created";
    public static final String RECOVERY_USED = "rc_used";
    /** Prefix: a push token's fingerprint → its device id, so a re-registered token updates its device. */
    public static final String TOKEN = "tok:";
    /** Prefix: a phone number's fingerprint → its factor id, so a number is one factor per account. */
    public static final String PHONE = "ph:";

    private AccountField() {}
  }

  private RedisKeys() {}
}
