package io.otpflow.verifier;

import io.otpflow.common.PasswordHash;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.Totp;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountEvent;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountRequest;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.kafka.ConsumerLoop;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account registry's rules: enrolling and confirming factors, registering devices, recovery
 * codes, and removing factors only with proof. It is the registry's only writer. Every change is
 * computed from a snapshot and applied atomically (see {@link AccountStore}); every change yields
 * an {@link AccountEvent} for the caller to publish.
 */
final class AccountRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(AccountRegistry.class);
  /** An enrolled factor must be confirmed within this time, or it is gone. */
  static final Duration PENDING_TTL = Duration.ofMinutes(10);
  /** Wrong codes while confirming an authenticator app before the enrolment is dropped. */
  static final int CONFIRM_ATTEMPTS = 5;
  /** Authenticator apps and phone numbers per account, confirmed or not. */
  static final int MAX_FACTORS = 10;
  static final int MAX_RECOVERY_CODES = 20;
  /** How recent an approved verification must be to serve as proof for a factor change. */
  static final Duration PROOF_MAX_AGE = Duration.ofMinutes(10);
  private static final Pattern ACCOUNT = Pattern.compile("~?[\\p{Alnum}._:@+=-]{1,128}");
  private static final Pattern FACTOR_ID = Pattern.compile("FA[0-9a-f]{32}");
  private static final Pattern DEVICE_ID = Pattern.compile("DV[0-9a-f]{32}");
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_REASON = 500;

  private final TenantDirectory tenants;
  private final AccountStore store;
  private final RedisCheckStore checkStore;
  private final FactorChecks checks;
  private final Verifier verifier;
  private final PasswordHash hashing;
  private final Clock clock;
  // Argon2id is CPU-bound: a few platform threads, not one per code.
  private final ExecutorService hashers = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("argon2-", 0).factory());

  AccountRegistry(TenantDirectory tenants, AccountStore store, RedisCheckStore checkStore, FactorChecks checks,
      Verifier verifier, PasswordHash hashing, Clock clock) {
    this.tenants = tenants;
    this.store = store;
    this.checkStore = checkStore;
    this.checks = checks;
    this.verifier = verifier;
    this.hashing = hashing;
    this.clock = clock;
  }

  /** The reply, and the events to publish before it. */
  record Outcome(AccountReply reply, List<AccountEvent> events) {
    static Outcome of(AccountReply reply) {
      return new Outcome(reply, List.of());
    }
  }

  Outcome handle(AccountRequest request) {
    Optional<Tenant> found = tenants.byId(request.tenant());
    if (found.isEmpty()) {
      return Outcome.of(new AccountReply.Rejected("unknown-tenant", "The tenant is not configured on the verifier."));
    }
    if (!ACCOUNT.matcher(request.account()).matches()) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", "The account id is not valid."));
    }
    Tenant tenant = found.get();
    Instant now = clock.instant();
    return switch (request) {
      case AccountRequest.Get g -> Outcome.of(new AccountReply.Done(view(g.account(), store.read(tenant.id(), g.account()), now)));
      case AccountRequest.EnrollTotp e -> enrollTotp(tenant, e, now);
      case AccountRequest.EnrollPhone e -> enrollPhone(tenant, e, now);
      case AccountRequest.Confirm c -> confirm(tenant, c, now);
      case AccountRequest.Remove r -> remove(tenant, r, now);
      case AccountRequest.TurnOff t -> turnOff(tenant, t, now);
      case AccountRequest.GenerateRecoveryCodes g -> recoveryCodes(tenant, g, now);
      case AccountRequest.RegisterDevice d -> registerDevice(tenant, d, now);
    };
  }

  // ---------------------------------------------------------------- enrolment

  private Outcome enrollTotp(Tenant tenant, AccountRequest.EnrollTotp e, Instant now) {
    try {
      new Totp(Totp.Algorithm.fromName(e.algorithm()), e.digits(), e.period());
    } catch (IllegalArgumentException ex) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", ex.getMessage()));
    }
    if (!FACTOR_ID.matcher(e.factorId()).matches()) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", "The factor id is not valid."));
    }
    StoredFactor factor = new StoredFactor(e.factorId(), StoredFactor.TOTP, StoredFactor.PENDING, now, null,
        now.plus(PENDING_TTL), e.label(), e.secret(), Totp.Algorithm.fromName(e.algorithm()).uriName(), e.digits(),
        e.period(), 0, null, null, null, null, null, null, null, null);
    return change(tenant, e.account(), now, e.factorId(), s -> {
      if (s.factors().containsKey(e.factorId())) {
        return Decision.nothing(); // the same request again
      }
      if (countFactors(s, now) >= MAX_FACTORS) {
        return Decision.answer(new AccountReply.Rejected("factor-limit", "The account has " + MAX_FACTORS + " factors already."));
      }
      return Decision.write(new AccountStore.Change().put(factor),
          event(tenant, e.account(), "factor_added", factor, "user", null, "none", null));
    });
  }

  private Outcome enrollPhone(Tenant tenant, AccountRequest.EnrollPhone e, Instant now) {
    if (!FACTOR_ID.matcher(e.factorId()).matches() || !VERIFICATION_ID.matcher(e.verificationId()).matches()
        || !HEX64.matcher(e.numberFingerprint()).matches()) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", "The factor is not valid."));
    }
    StoredFactor factor = new StoredFactor(e.factorId(), StoredFactor.PHONE, StoredFactor.PENDING, now, null,
        now.plus(PENDING_TTL), e.label(), null, null, null, null, 0, e.number(), e.numberMasked(), e.verificationId(),
        null, null, e.numberFingerprint(), null, null);
    return change(tenant, e.account(), now, e.factorId(), s -> {
      if (s.factors().containsKey(e.factorId())) {
        return Decision.nothing();
      }
      AccountStore.Change change = new AccountStore.Change();
      StoredFactor same = s.factors().get(String.valueOf(s.field(AccountField.PHONE + e.numberFingerprint())));
      if (same != null && same.isLive(now)) {
        if (same.isActive()) {
          return Decision.answer(new AccountReply.Rejected("factor-exists", "This number is a factor of the account already."));
        }
        change.remove(same); // enrolling the number again replaces the unconfirmed enrolment
      } else if (countFactors(s, now) >= MAX_FACTORS) {
        return Decision.answer(new AccountReply.Rejected("factor-limit", "The account has " + MAX_FACTORS + " factors already."));
      }
      change.put(factor).put(AccountField.PHONE + e.numberFingerprint(), e.factorId());
      return Decision.write(change, event(tenant, e.account(), "factor_added", factor, "user", null, "none", null));
    });
  }

  private Outcome confirm(Tenant tenant, AccountRequest.Confirm c, Instant now) {
    AccountStore.Snapshot s = store.read(tenant.id(), c.account());
    StoredFactor f = live(s, c.factorId(), now);
    if (f == null || StoredFactor.DEVICE.equals(f.type())) {
      return Outcome.of(new AccountReply.NotFound());
    }
    if (f.isActive()) {
      return Outcome.of(new AccountReply.Done(view(c.account(), s, now), f.id())); // confirmed already
    }
    boolean confirmed;
    if (StoredFactor.TOTP.equals(f.type())) {
      confirmed = checks.useTotp(tenant.id(), c.account(), List.of(f), c.eventId(), c.codeMac(), now).isPresent();
      if (!confirmed) {
        return wrongConfirmation(tenant, c, now);
      }
    } else {
      RedisCheckStore.Owner owner = checkStore.ownerOf(tenant.id(), f.verificationId(), now);
      if (!c.account().equals(owner.account()) || !f.id().equals(owner.factor())) {
        return Outcome.of(new AccountReply.Rejected("confirmation-expired", "Enrol the number again for a new code."));
      }
      CheckReply reply = verifier.check(
          new CheckRequest(c.eventId(), c.occurredAt(), tenant.id(), f.verificationId(), c.codeMac())).reply();
      switch (reply) {
        case CheckReply.Approved a -> {}
        case CheckReply.Denied d -> {
          return Outcome.of(new AccountReply.Denied(d.attemptsLeft()));
        }
        case CheckReply.Locked l -> {
          return Outcome.of(l.retryAfterSeconds() > 0 ? new AccountReply.Locked(l.retryAfterSeconds()) : new AccountReply.Denied(0));
        }
        default -> {
          return Outcome.of(new AccountReply.Rejected("confirmation-expired", "Enrol the number again for a new code."));
        }
      }
    }
    return change(tenant, c.account(), now, f.id(), snap -> {
      StoredFactor current = live(snap, f.id(), now);
      if (current == null) {
        return Decision.answer(new AccountReply.NotFound());
      }
      if (current.isActive()) {
        return Decision.nothing();
      }
      StoredFactor active = current.activated(now);
      return Decision.write(new AccountStore.Change().put(active),
          event(tenant, c.account(), "factor_confirmed", active, "user", null, "code", null));
    });
  }

  private Outcome wrongConfirmation(Tenant tenant, AccountRequest.Confirm c, Instant now) {
    return change(tenant, c.account(), now, c.factorId(), snap -> {
      StoredFactor current = live(snap, c.factorId(), now);
      if (current == null || current.isActive()) {
        return Decision.answer(current == null ? new AccountReply.NotFound() : new AccountReply.Denied(0));
      }
      int attempts = current.confirmAttempts() + 1;
      if (attempts >= CONFIRM_ATTEMPTS) {
        return new Decision(new AccountStore.Change().remove(current), new AccountReply.Denied(0),
            List.of(event(tenant, c.account(), "factor_removed", current, "system", "too-many-attempts", "none", null)));
      }
      return new Decision(new AccountStore.Change().put(current.withConfirmAttempts(attempts)),
          new AccountReply.Denied(CONFIRM_ATTEMPTS - attempts), List.of());
    });
  }

  // ---------------------------------------------------------------- devices

  private Outcome registerDevice(Tenant tenant, AccountRequest.RegisterDevice d, Instant now) {
    if (!DEVICE_ID.matcher(d.deviceId()).matches() || !HEX64.matcher(d.tokenFingerprint()).matches()
        || !("apns".equals(d.platform()) || "fcm".equals(d.platform()))) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", "The device is not valid."));
    }
    String tokenField = AccountField.TOKEN + d.tokenFingerprint();
    AccountStore.Snapshot before = store.read(tenant.id(), d.account());
    StoredFactor registered = live(before, before.field(tokenField), now);
    String id = registered != null ? registered.id() : d.deviceId();
    return change(tenant, d.account(), now, id, s -> {
      StoredFactor existing = live(s, s.field(tokenField), now);
      if (existing == null && s.factors().containsKey(d.deviceId())) {
        return Decision.nothing(); // the same request again
      }
      if (existing == null && s.live(now).stream().filter(f -> StoredFactor.DEVICE.equals(f.type())).count()
          >= tenant.push().maxDevices()) {
        return Decision.answer(new AccountReply.Rejected("device-limit",
            "The account has " + tenant.push().maxDevices() + " devices already; remove one first."));
      }
      // The same token again is the same device: it keeps its id and registration date, the rest is new.
      StoredFactor device = new StoredFactor(existing != null ? existing.id() : d.deviceId(), StoredFactor.DEVICE,
          StoredFactor.ACTIVE, existing != null ? existing.createdAt() : now, now, null, d.label(), null, null, null,
          null, 0, null, null, null, d.platform(), d.token(), d.tokenFingerprint(), d.name(), d.publicKey());
      return Decision.write(new AccountStore.Change().put(device).put(tokenField, device.id()),
          event(tenant, d.account(), existing != null ? "device_updated" : "device_registered", device, "user", null,
              "none", null));
    });
  }

  /**
   * The push provider said a device's token is dead (a delivery report at {@code reportedAt}):
   * the device is removed, by the system, unless it was registered again since (re-registering a
   * token renews {@code confirmed_at}: the token was valid again after the provider's answer). A
   * device already gone, or of no live registration, changes nothing and publishes nothing.
   */
  Outcome pruneDeadDevice(String tenantId, String account, String deviceId, Instant reportedAt) {
    Optional<Tenant> found = tenants.byId(tenantId);
    if (found.isEmpty() || !ACCOUNT.matcher(account).matches() || !DEVICE_ID.matcher(deviceId).matches()) {
      return Outcome.of(new AccountReply.NotFound());
    }
    Tenant tenant = found.get();
    Instant now = clock.instant();
    return change(tenant, account, now, deviceId, s -> {
      StoredFactor device = live(s, deviceId, now);
      if (device == null || !StoredFactor.DEVICE.equals(device.type())) {
        return Decision.answer(new AccountReply.NotFound());
      }
      Instant registered = device.confirmedAt() != null ? device.confirmedAt() : device.createdAt();
      if (!registered.isBefore(reportedAt)) {
        LOG.info("Keeping device {} of an account of tenant {}: it was registered again after its token was reported dead.",
            deviceId, tenant.id());
        return Decision.answer(new AccountReply.Rejected("registered-again", "The device registered again since the report."));
      }
      return Decision.write(new AccountStore.Change().remove(device),
          event(tenant, account, "device_removed", device, "system", "token-dead", "none", null));
    });
  }

  // ---------------------------------------------------------------- removal and recovery codes

  private Outcome remove(Tenant tenant, AccountRequest.Remove r, Instant now) {
    AccountStore.Snapshot s = store.read(tenant.id(), r.account());
    StoredFactor f = live(s, r.factorId(), now);
    if (f == null) {
      return Outcome.of(new AccountReply.NotFound());
    }
    Proven proven = f.isActive() ? prove(tenant, r.account(), r.proof(), r.eventId(), s, now) : Proven.unconfirmed(r.proof());
    if (proven.refusal() != null) {
      return Outcome.of(proven.refusal());
    }
    return change(tenant, r.account(), now, f.id(), snap -> {
      StoredFactor current = live(snap, f.id(), now);
      if (current == null) {
        return Decision.answer(new AccountReply.NotFound());
      }
      String type = StoredFactor.DEVICE.equals(current.type()) ? "device_removed" : "factor_removed";
      AccountStore.Change change = new AccountStore.Change().remove(current);
      List<AccountEvent> events = new ArrayList<>(List.of(
          event(tenant, r.account(), type, current, proven.actor(), proven.reason(), proven.kind(), null)));
      boolean lastFactor = snap.live(now).stream().noneMatch(o -> o.isActive() && !o.id().equals(current.id()));
      if ("admin".equals(proven.actor()) && lastFactor && !snap.recoveryHashes().isEmpty()) {
        // A helpdesk reset: the person lost their factors, and may have lost their recovery codes with
        // them. Codes kept here would work again the moment they set up a new factor.
        removeRecoveryCodes(change, snap);
        events.add(new AccountEvent(UUID.randomUUID().toString(), now, tenant.id(), r.account(), "recovery_codes_removed",
            null, "recovery_codes", proven.actor(), proven.reason(), proven.kind(), 0));
      }
      return Decision.write(change, events);
    });
  }

  private static void removeRecoveryCodes(AccountStore.Change change, AccountStore.Snapshot snap) {
    snap.recoveryHashes().keySet().forEach(change::delete);
    change.delete(AccountField.RECOVERY_CREATED).delete(AccountField.RECOVERY_USED);
  }

  /**
   * Two-step verification off: every factor and device (pending ones too) and the recovery codes go
   * in one write, on one proof, with an event per factor and one for the codes. A code of any factor
   * that is going, a recovery code, a recent approved verification of the account, or an admin's
   * reason proves it, as for removing one factor.
   */
  private Outcome turnOff(Tenant tenant, AccountRequest.TurnOff t, Instant now) {
    AccountStore.Snapshot s = store.read(tenant.id(), t.account());
    if (s.live(now).isEmpty() && s.recoveryHashes().isEmpty()) {
      return Outcome.of(new AccountReply.Done(view(t.account(), s, now), null)); // nothing to turn off
    }
    Proven proven = s.hasActiveFactorOrRecoveryCodes(now)
        ? prove(tenant, t.account(), t.proof(), t.eventId(), s, now)
        : Proven.unconfirmed(t.proof());
    if (proven.refusal() != null) {
      return Outcome.of(proven.refusal());
    }
    return change(tenant, t.account(), now, null, snap -> {
      AccountStore.Change change = new AccountStore.Change();
      List<AccountEvent> events = new ArrayList<>();
      for (StoredFactor f : snap.live(now)) {
        change.remove(f);
        events.add(event(tenant, t.account(), StoredFactor.DEVICE.equals(f.type()) ? "device_removed" : "factor_removed",
            f, proven.actor(), proven.reason(), proven.kind(), null));
      }
      if (!snap.recoveryHashes().isEmpty()) {
        removeRecoveryCodes(change, snap);
        events.add(new AccountEvent(UUID.randomUUID().toString(), now, tenant.id(), t.account(), "recovery_codes_removed",
            null, "recovery_codes", proven.actor(), proven.reason(), proven.kind(), 0));
      }
      return events.isEmpty() ? Decision.nothing() : Decision.write(change, events);
    });
  }

  private Outcome recoveryCodes(Tenant tenant, AccountRequest.GenerateRecoveryCodes g, Instant now) {
    Set<String> tags = new HashSet<>();
    for (String mac : g.codeMacs()) {
      if (mac == null || !HEX64.matcher(mac).matches() || !tags.add(mac.substring(0, FactorChecks.RECOVERY_TAG_CHARS))) {
        return Outcome.of(new AccountReply.Rejected("invalid-field", "Recovery codes must be distinct MACs."));
      }
    }
    if (g.codeMacs().isEmpty() || g.codeMacs().size() > MAX_RECOVERY_CODES) {
      return Outcome.of(new AccountReply.Rejected("invalid-field", "1 to " + MAX_RECOVERY_CODES + " recovery codes."));
    }
    AccountStore.Snapshot s = store.read(tenant.id(), g.account());
    Proven proven = s.hasActiveFactorOrRecoveryCodes(now)
        ? prove(tenant, g.account(), g.proof(), g.eventId(), s, now)
        : Proven.unconfirmed(g.proof());
    if (proven.refusal() != null) {
      return Outcome.of(proven.refusal());
    }
    List<String> hashes = hashAll(g.codeMacs());
    return change(tenant, g.account(), now, null, snap -> {
      AccountStore.Change change = new AccountStore.Change();
      snap.recoveryHashes().keySet().forEach(change::delete);
      for (int i = 0; i < hashes.size(); i++) {
        change.put(AccountField.RECOVERY + g.codeMacs().get(i).substring(0, FactorChecks.RECOVERY_TAG_CHARS), hashes.get(i));
      }
      change.put(AccountField.RECOVERY_CREATED, Long.toString(now.toEpochMilli())).delete(AccountField.RECOVERY_USED);
      return Decision.write(change, new AccountEvent(UUID.randomUUID().toString(), now, tenant.id(), g.account(),
          "recovery_codes_generated", null, "recovery_codes", proven.actor(), proven.reason(), proven.kind(), hashes.size()));
    });
  }

  private List<String> hashAll(List<String> macs) {
    List<Future<String>> futures = new ArrayList<>();
    for (String mac : macs) {
      futures.add(hashers.submit(() -> hashing.hash(mac)));
    }
    List<String> hashes = new ArrayList<>();
    try {
      for (Future<String> f : futures) {
        hashes.add(f.get());
      }
    } catch (Exception e) {
      throw new ConsumerLoop.RetriableFailure("Hashing recovery codes failed.", e);
    }
    return hashes;
  }

  // ---------------------------------------------------------------- proof

  /** What allowed a change: a refusal to answer, or the proof kind, actor and reason for the event. */
  private record Proven(AccountReply refusal, String kind, String actor, String reason) {
    static Proven unconfirmed(AccountRequest.Proof proof) {
      boolean admin = proof != null && proof.admin();
      return new Proven(null, "none", admin ? "admin" : "user", admin ? blankToNull(proof.reason()) : null);
    }

    static Proven refused(AccountReply reply) {
      return new Proven(reply, null, null, null);
    }
  }

  /**
   * A current TOTP code or recovery code of the account, a recently approved verification of it
   * (once), or the admin key with a reason. Wrong codes count toward the account's lockout, as for
   * any check, so proof cannot be used to guess codes; a locked account proves nothing.
   */
  private Proven prove(Tenant tenant, String account, AccountRequest.Proof proof, String eventId,
      AccountStore.Snapshot s, Instant now) {
    AccountRequest.Proof p = proof == null ? AccountRequest.Proof.NONE : proof;
    String actor = p.admin() ? "admin" : "user";
    boolean hasProof = p.codeMac() != null || p.recoveryMac() != null || p.verificationId() != null;
    if (p.admin() && !hasProof) {
      String reason = blankToNull(p.reason());
      if (reason == null || reason.length() > MAX_REASON) {
        return Proven.refused(new AccountReply.Rejected("reason-required",
            "An admin change needs a 'reason' of 1-" + MAX_REASON + " characters; it is recorded."));
      }
      return new Proven(null, "admin", "admin", reason);
    }
    if (!hasProof) {
      return Proven.refused(new AccountReply.ProofRefused("proof-required"));
    }
    // Reserved before the proof is checked, as for a check: concurrent wrong proofs cannot all pass the lock.
    RedisCheckStore.Reservation reserved = checkStore.reserveFailure(tenant, account, now);
    if (reserved.refused()) {
      return Proven.refused(new AccountReply.Locked(seconds(reserved.refusedFor())));
    }
    String kind;
    boolean ok;
    if (p.verificationId() != null) {
      kind = "verification";
      ok = VERIFICATION_ID.matcher(p.verificationId()).matches()
          && verifier.throughFactor(tenant.id(), account, p.verificationId(),
              checkStore.ownerOf(tenant.id(), p.verificationId(), now), s, now)
          && checkStore.useAsProof(tenant.id(), account, p.verificationId(), now, PROOF_MAX_AGE);
      if (!ok) {
        checkStore.refundFailure(tenant, account, reserved);
        return Proven.refused(new AccountReply.ProofRefused("invalid-proof")); // no code was guessed
      }
    } else if (p.recoveryMac() != null) {
      kind = "recovery_code";
      try {
        ok = checks.useRecoveryCode(tenant.id(), account, s, p.recoveryMac(), now);
      } catch (FactorChecks.Busy e) {
        checkStore.refundFailure(tenant, account, reserved);
        LOG.warn("Refused a factor change on an account of tenant {}: every recovery-code check slot is taken.", tenant.id());
        return Proven.refused(new AccountReply.Unavailable(FactorChecks.Busy.REASON));
      }
    } else {
      kind = "code";
      List<StoredFactor> apps = s.live(now).stream().filter(f -> StoredFactor.TOTP.equals(f.type()) && f.isActive()).toList();
      ok = checks.useTotp(tenant.id(), account, apps, eventId, p.codeMac(), now).isPresent();
    }
    if (ok) {
      checkStore.resetFailures(tenant.id(), account);
      return new Proven(null, kind, actor, p.admin() ? blankToNull(p.reason()) : null);
    }
    Duration lock = reserved.lockIfFailed();
    LOG.info("A factor change on an account of tenant {} was refused: the {} did not match.", tenant.id(), kind);
    return Proven.refused(lock.isZero() ? new AccountReply.ProofRefused("invalid-proof") : new AccountReply.Locked(seconds(lock)));
  }

  // ---------------------------------------------------------------- applying changes

  /** A change to apply (null: none), the reply when it is not "done", and its events. */
  private record Decision(AccountStore.Change change, AccountReply reply, List<AccountEvent> events) {
    static Decision nothing() {
      return new Decision(null, null, List.of());
    }

    static Decision answer(AccountReply reply) {
      return new Decision(null, reply, List.of());
    }

    static Decision write(AccountStore.Change change, AccountEvent event) {
      return new Decision(change, null, List.of(event));
    }

    static Decision write(AccountStore.Change change, List<AccountEvent> events) {
      return new Decision(change, null, List.copyOf(events));
    }
  }

  /**
   * Reads, decides and writes until the write lands on the version it was decided on; expired
   * enrolments are cleaned up on the way. The tenant's index of accounts with factors follows.
   */
  private Outcome change(Tenant tenant, String account, Instant now, String factorId,
      Function<AccountStore.Snapshot, Decision> decide) {
    for (int attempt = 0; attempt < 20; attempt++) {
      AccountStore.Snapshot s = store.read(tenant.id(), account);
      Decision d = decide.apply(s);
      if (d.change() == null) {
        return new Outcome(d.reply() != null ? d.reply() : new AccountReply.Done(view(account, s, now), factorId), d.events());
      }
      s.expired(now).forEach(d.change()::remove);
      if (store.write(tenant.id(), account, s, d.change())) {
        AccountStore.Snapshot after = store.read(tenant.id(), account);
        store.index(tenant.id(), account, after.hasActiveFactorOrRecoveryCodes(now));
        return new Outcome(d.reply() != null ? d.reply() : new AccountReply.Done(view(account, after, now), factorId),
            d.events());
      }
    }
    throw new ConsumerLoop.RetriableFailure("The account kept changing while it was being written.", null);
  }

  // ---------------------------------------------------------------- views and events

  static AccountView view(String account, AccountStore.Snapshot s, Instant now) {
    List<AccountView.Factor> factors = new ArrayList<>();
    List<AccountView.Factor> devices = new ArrayList<>();
    for (StoredFactor f : s.live(now)) {
      String used = s.field(AccountField.USED + f.id());
      Instant lastUsed = used == null ? null : Instant.ofEpochMilli(Long.parseLong(used));
      boolean pending = !f.isActive();
      AccountView.Factor view = new AccountView.Factor(f.id(), f.type(), f.status(), f.label(), f.createdAt(),
          f.confirmedAt(), lastUsed, pending ? f.expiresAt() : null, f.algorithm(), f.digits(), f.period(),
          f.numberMasked(), pending ? f.verificationId() : null, f.platform(), f.name());
      (StoredFactor.DEVICE.equals(f.type()) ? devices : factors).add(view);
    }
    String created = s.field(AccountField.RECOVERY_CREATED);
    String used = s.field(AccountField.RECOVERY_USED);
    return new AccountView(account, factors, devices, new AccountView.RecoveryCodes(s.recoveryHashes().size(),
        created == null ? null : Instant.ofEpochMilli(Long.parseLong(created)),
        used == null ? null : Instant.ofEpochMilli(Long.parseLong(used))));
  }

  private AccountEvent event(Tenant tenant, String account, String type, StoredFactor factor, String actor,
      String reason, String proof, Integer left) {
    return new AccountEvent(UUID.randomUUID().toString(), clock.instant(), tenant.id(), account, type, factor.id(),
        factor.type(), actor, reason, proof, left);
  }

  private static StoredFactor live(AccountStore.Snapshot s, String id, Instant now) {
    StoredFactor f = id == null ? null : s.factors().get(id);
    return f != null && f.isLive(now) ? f : null;
  }

  private static long countFactors(AccountStore.Snapshot s, Instant now) {
    return s.live(now).stream().filter(f -> !StoredFactor.DEVICE.equals(f.type())).count();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }

  void close() {
    hashers.shutdown();
  }
}
