package io.otpflow.verifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Metrics;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import io.otpflow.common.accounts.StoredFactor;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Decides checks: the account lock first (a locked account spends no attempt), then the atomic
 * check in Redis, then the account's failure count. Push devices' answers take the same steps with
 * the device's signature as the credential, checked before anything is spent. Fails closed: any
 * Redis error propagates and the caller answers "unavailable", never "approved".
 */
final class Verifier {
  private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

  private final TenantDirectory tenants;
  private final RedisCheckStore store;
  private final AccountStore accounts;
  private final FactorChecks factors;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final CheckFunnel funnel;
  private final SecretBox factorBox;

  /** @param factorBox opens the answer signatures the gateway sealed (OTPFLOW_FACTOR_KEYS) */
  Verifier(TenantDirectory tenants, RedisCheckStore store, AccountStore accounts, FactorChecks factors, Clock clock,
      MeterRegistry metrics, CheckFunnel funnel, SecretBox factorBox) {
    this.factorBox = factorBox;
    this.tenants = tenants;
    this.store = store;
    this.accounts = accounts;
    this.factors = factors;
    this.clock = clock;
    this.metrics = metrics;
    this.funnel = funnel;
  }

  /**
   * The reply, plus the account, channel and answering device (for the verdict event); each null
   * when unknown. A {@link CheckReply.Refused} decided nothing and gets no verdict.
   */
  record Decision(CheckReply reply, String account, String channel, String deviceId, String tenant) {
    Decision(CheckReply reply, String account, String channel) {
      this(reply, account, channel, null, null);
    }
  }

  Decision check(CheckRequest request) {
    if (request.answer() != null) {
      return answer(request);
    }
    Optional<Tenant> found = tenants.byId(request.tenant());
    if (found.isEmpty() || request.codeMac() == null || request.codeMac().length() != 64
        || request.eventId() == null || request.eventId().length() > 100) {
      return new Decision(new CheckReply.NotFound(), null, null);
    }
    Tenant tenant = found.get();
    Instant now = clock.instant();
    RedisCheckStore.Owner owner = store.ownerOf(tenant.id(), request.verificationId(), now);
    String account = owner.account();
    RedisCheckStore.Reservation reserved = null;
    if (account != null) {
      // The failure is counted before the check (and given back after a success): concurrent wrong
      // codes cannot all pass a lock the first of them starts.
      reserved = store.reserveFailure(tenant, account, now);
      if (reserved.refused()) {
        count(tenant, "account_locked");
        funnel.checked(tenant.id(), request.verificationId(), "account_locked", false, now);
        return new Decision(new CheckReply.Locked(seconds(reserved.refusedFor())), account, owner.channel());
      }
    }
    if (owner.answeredByDevice()) {
      if (reserved != null) {
        store.refundFailure(tenant, account, reserved);
      }
      count(tenant, "answer_expected");
      return new Decision(new CheckReply.Refused(CheckReply.Refused.ANSWER_EXPECTED), account, owner.channel());
    }
    Boolean decided;
    try {
      decided = decideFromFactors(tenant, request, owner, now);
    } catch (FactorChecks.Busy e) {
      // Nothing was checked or spent: the caller may try again in a moment.
      if (reserved != null) {
        store.refundFailure(tenant, account, reserved);
      }
      count(tenant, "busy");
      LOG.warn("Refused a check of verification {}: every recovery-code check slot is taken.", request.verificationId());
      return new Decision(new CheckReply.Unavailable(FactorChecks.Busy.REASON), account, owner.channel());
    }
    RedisCheckStore.Result result =
        store.check(tenant.id(), request.verificationId(), request.codeMac(), now, request.eventId(), decided);
    CheckReply reply =
        switch (result.outcome()) {
          case "approved" -> new CheckReply.Approved();
          case "denied" -> new CheckReply.Denied(result.attemptsLeft());
          case "expired" -> new CheckReply.Expired();
          case "locked" -> new CheckReply.Locked(0);
          case "not_pending" -> new CheckReply.NotPending(result.status());
          default -> new CheckReply.NotFound();
        };
    if (account != null) {
      try {
        reply = settle(tenant, account, reserved, result.spent(), reply,
            () -> throughFactor(tenant.id(), account, request.verificationId(), owner, null, now));
      } catch (JedisException e) {
        // The check itself is decided (and an approval already spent): answer it; only the
        // account's failure count is missed, which is logged.
        LOG.warn("Could not update the account lock after checking verification {}: {}", request.verificationId(), e.toString());
      }
    }
    count(tenant, result.outcome());
    funnel.checked(tenant.id(), request.verificationId(), result.outcome(), result.spent(), now);
    LOG.info("Check of verification {}: {}.", request.verificationId(), result.outcome());
    return new Decision(reply, account, owner.channel());
  }

  /**
   * A push device's approve or deny. Nothing is spent or decided until the signature verifies under
   * the public key of an active device of the verification's own account and tenant, so a caller
   * without the device's private key can only be refused (the route needs no API key: the signature
   * is the credential). Then answer.lua decides atomically, and the account's bookkeeping follows as
   * for a code: an approval resets its failures and its fatigue guard, a wrong number is a failure.
   */
  private Decision answer(CheckRequest request) {
    CheckRequest.Answer a = request.answer();
    String id = request.verificationId();
    Instant now = clock.instant();
    String recorded = store.tenantOf(id);
    Optional<Tenant> found = recorded == null ? Optional.empty() : tenants.byId(recorded);
    if (found.isEmpty() || (request.tenant() != null && !request.tenant().equals(recorded))
        || request.eventId().length() > 100) {
      answered(request.tenant() != null ? request.tenant() : Metrics.UNKNOWN, "not_found");
      return new Decision(new CheckReply.NotFound(), null, null);
    }
    Tenant tenant = found.get();
    RedisCheckStore.Owner owner = store.ownerOf(tenant.id(), id, now);
    if (!owner.answeredByDevice()) {
      answered(tenant.id(), "code_expected");
      return new Decision(new CheckReply.Refused(CheckReply.Refused.CODE_EXPECTED), owner.account(), owner.channel(),
          null, tenant.id());
    }
    StoredFactor device = owner.account() == null ? null : accounts.read(tenant.id(), owner.account()).live(now).stream()
        .filter(f -> StoredFactor.DEVICE.equals(f.type()) && f.isActive() && f.id().equals(a.deviceId()))
        .findFirst().orElse(null);
    if (device == null || !signed(a, id, device)) {
      answered(tenant.id(), "invalid_signature");
      LOG.info("Refused an answer to verification {}: no valid signature of an active device of its account.", id);
      return new Decision(new CheckReply.Refused(CheckReply.Refused.INVALID_SIGNATURE), owner.account(), owner.channel(),
          null, tenant.id());
    }
    String account = owner.account();
    RedisCheckStore.Reservation reserved = null;
    if ("approve".equals(a.decision())) {
      reserved = store.reserveFailure(tenant, account, now);
      if (reserved.refused()) {
        answered(tenant.id(), "account_locked");
        funnel.checked(tenant.id(), id, "account_locked", false, now);
        return new Decision(new CheckReply.Locked(seconds(reserved.refusedFor())), account, owner.channel(), null,
            tenant.id());
      }
    }
    RedisCheckStore.Result result = store.answer(tenant.id(), id, request.eventId(), a.decision(), a.number(),
        new RedisCheckStore.Answerer(device.id(), device.name(), device.label()), now);
    CheckReply reply = switch (result.outcome()) {
      case "approved" -> new CheckReply.Approved();
      case "declined" -> new CheckReply.Declined();
      case "denied" -> new CheckReply.Denied(result.attemptsLeft());
      case "expired" -> new CheckReply.Expired();
      case "locked" -> new CheckReply.Locked(0);
      case "not_pending" -> new CheckReply.NotPending(result.status());
      case "refused" -> new CheckReply.Refused(CheckReply.Refused.CODE_EXPECTED);
      default -> new CheckReply.NotFound();
    };
    if (reserved != null) {
      try {
        reply = settle(tenant, account, reserved, result.spent(), reply, () -> true); // a device of the account answered
      } catch (JedisException e) {
        LOG.warn("Could not update the account lock after an answer to verification {}: {}", id, e.toString());
      }
    }
    answered(tenant.id(), switch (result.outcome()) {
      case "declined" -> "denied";
      case "denied" -> "wrong_number";
      default -> result.outcome();
    });
    funnel.checked(tenant.id(), id, "declined".equals(result.outcome()) ? "denied" : result.outcome(), result.spent(), now);
    LOG.info("Answer of device {} to verification {}: {}.", device.id(), id, result.outcome());
    boolean decisive = reply instanceof CheckReply.Approved || reply instanceof CheckReply.Declined;
    return new Decision(reply, account, owner.channel(), decisive ? device.id() : null, tenant.id());
  }

  /** Whether the sealed signature opens and verifies over "{id}:{decision}[:{number}]" under the device's key. */
  private boolean signed(CheckRequest.Answer a, String verificationId, StoredFactor device) {
    byte[] signature;
    try {
      signature = java.util.Base64.getDecoder().decode(
          factorBox.open(a.signature(), CheckRequest.Answer.signatureAad(verificationId, a.deviceId())));
    } catch (RuntimeException e) {
      return false; // sealed for something else, with a key no longer configured, or not base64
    }
    return DeviceSignatures.verify(device.publicKey(),
        CheckRequest.Answer.signedText(verificationId, a.decision(), a.number()), signature);
  }

  private void answered(String tenant, String outcome) {
    io.micrometer.core.instrument.Counter.builder(Metrics.PUSH_ANSWERS)
        .description("Push device answers by outcome, refused ones included")
        .tags(Metrics.TAG_TENANT, tenant, Metrics.TAG_OUTCOME, outcome).register(metrics).increment();
  }

  /**
   * Authenticator-app and recovery-code verifications store no code: the code comes from the
   * account's factors. Null for every other channel (check.lua compares the stored MAC). Only an
   * open verification spends a step or a recovery code, so a code sent to a decided or expired
   * verification is not burnt for nothing.
   */
  private Boolean decideFromFactors(Tenant tenant, CheckRequest request, RedisCheckStore.Owner owner, Instant now) {
    boolean totp = "totp".equals(owner.channel());
    if (!totp && !"recovery_code".equals(owner.channel())) {
      return null;
    }
    if (!owner.open() || owner.account() == null) {
      return false;
    }
    AccountStore.Snapshot s = accounts.read(tenant.id(), owner.account());
    if (request.recoveryMac() != null) {
      // A recovery code stands in for the app: accepted on both kinds of verification.
      return factors.useRecoveryCode(tenant.id(), owner.account(), s, request.recoveryMac(), now);
    }
    if (!totp) {
      return false;
    }
    List<StoredFactor> apps = s.live(now).stream()
        .filter(f -> StoredFactor.TOTP.equals(f.type()) && f.isActive())
        .filter(f -> owner.factor() == null || f.id().equals(owner.factor()))
        .toList();
    return factors.useTotp(tenant.id(), owner.account(), apps, request.verificationId(), request.codeMac(), now).isPresent();
  }

  /**
   * Settles the failure reserved before an attempt: a wrong code keeps it (and says so when it
   * started a lock); an approval that proves the account resets its failures and its push fatigue
   * guard; anything else (nothing spent, or an approval that proves nothing about the account, such
   * as an SMS to a number the caller chose) gives it back and resets nothing.
   */
  private CheckReply settle(Tenant tenant, String account, RedisCheckStore.Reservation reserved, boolean spent,
      CheckReply reply, java.util.function.BooleanSupplier provesAccount) {
    if (spent && (reply instanceof CheckReply.Denied || reply instanceof CheckReply.Locked)) {
      return lockedOr(reply, tenant, reserved.lockIfFailed()); // the last attempt failed
    }
    if (spent && reply instanceof CheckReply.Approved && provesAccount.getAsBoolean()) {
      store.resetFailures(tenant.id(), account);
    } else {
      store.refundFailure(tenant, account, reserved);
    }
    return reply;
  }

  /**
   * Whether a verification of {@code account} went through one of the account's own factors, so that
   * its approval proves possession of one: an app or a recovery code, a push to the account's
   * devices, or an SMS to its confirmed phone. An SMS to a number the caller named as {@code to}, or
   * the SMS confirming a new phone, proves only access to that number, which is no factor of the
   * account (adding one needs no proof, so it must not yield one).
   *
   * @param snapshot the account as read already, or null to read it here
   */
  boolean throughFactor(String tenant, String account, String verificationId, RedisCheckStore.Owner owner,
      AccountStore.Snapshot snapshot, Instant now) {
    if (!account.equals(owner.account()) || owner.channel() == null) {
      return false;
    }
    return switch (owner.channel()) {
      case "totp", "recovery_code", "push" -> true;
      case "sms" -> {
        if (owner.factor() == null) {
          yield false;
        }
        AccountStore.Snapshot s = snapshot != null ? snapshot : accounts.read(tenant, account);
        StoredFactor phone = s.factors().get(owner.factor());
        yield phone != null && phone.isLive(now) && StoredFactor.PHONE.equals(phone.type()) && phone.isActive()
            && !verificationId.equals(phone.verificationId());
      }
      default -> false;
    };
  }

  /** When a failure starts an account lock, the answer says for how long. */
  private CheckReply lockedOr(CheckReply reply, Tenant tenant, Duration locked) {
    if (locked.isZero()) {
      return reply;
    }
    io.micrometer.core.instrument.Counter.builder(Metrics.LOCKOUTS)
        .description("Account lockouts started by consecutive failed checks")
        .tag(Metrics.TAG_TENANT, tenant.id()).register(metrics).increment();
    LOG.info("An account of tenant {} is locked for {} after consecutive failures.", tenant.id(), locked);
    return new CheckReply.Locked(seconds(locked));
  }

  private void count(Tenant tenant, String outcome) {
    io.micrometer.core.instrument.Counter.builder(Metrics.CHECKS)
        .description("Check requests by outcome, replays of a redelivered check included")
        .tags(Metrics.TAG_TENANT, tenant.id(), Metrics.TAG_OUTCOME, outcome).register(metrics).increment();
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }
}
