package io.otpflow.verifier;

import io.otpflow.common.Base32;
import io.otpflow.common.CodeMac;
import io.otpflow.common.PasswordHash;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Totp;
import io.otpflow.common.accounts.StoredFactor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Codes that come from an account's own factors rather than from a stored MAC: authenticator-app
 * codes (TOTP) and recovery codes. The gateway sends only MACs, so a TOTP code is matched by
 * computing the MAC of each candidate code (steps t-1, t and t+1) under the same binding id and
 * comparing them in constant time; the matching step then passes the replay guard, or the code is refused.
 */
final class FactorChecks {
  /** RFC 6238 section 5.2: allow one step of clock drift either way, no more. */
  private static final int DRIFT_STEPS = 1;
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  /** Length of the tag a recovery code's hash is stored under: 32 bits of its MAC, so one slow hash per check. */
  static final int RECOVERY_TAG_CHARS = 8;

  /**
   * Recovery-code hashes verified at once, at most. Each Argon2id verification takes 19 MiB and a core
   * for tens of milliseconds; checks arrive from every partition's consumer at once, so without a
   * bound a burst of recovery codes would take the verifier's memory and every core with it.
   */
  static final int HASHES_AT_ONCE = Math.max(2, Runtime.getRuntime().availableProcessors());
  /** How long a check waits for a free slot before it is refused ({@link Busy}) instead of queueing. */
  static final long HASH_WAIT_MILLIS = 1000;

  /** Every slot stayed taken for {@link #HASH_WAIT_MILLIS}: nothing was checked or spent; try again. */
  static final class Busy extends RuntimeException {
    /** The reason in the "unavailable" reply the caller gets. */
    static final String REASON = "recovery-code-checks-busy";

    Busy() {
      super("Too many recovery-code checks at once.", null, false, false);
    }
  }

  /** Package-private for tests, which hold it to see a busy verifier. */
  final Semaphore slots = new Semaphore(HASHES_AT_ONCE);
  private final AccountStore store;
  private final SecretBox factorBox;
  private final CodeMac macs;
  /** Verified when no code has the submitted tag, so a miss costs the same time as a wrong code. */
  private final String decoyHash = PasswordHash.OWASP.hash("decoy");

  FactorChecks(AccountStore store, SecretBox factorBox, CodeMac macs) {
    this.store = store;
    this.factorBox = factorBox;
    this.macs = macs;
  }

  /** A TOTP code that matched: which factor and which time step. */
  record TotpMatch(StoredFactor factor, long step) {}

  /**
   * The factor among {@code candidates} whose code at now ±1 step has MAC {@code codeMac} under
   * {@code bindingId}. Every candidate and step is computed (no early exit), so the time taken does
   * not tell which step or factor matched.
   */
  Optional<TotpMatch> matchTotp(String tenant, String account, List<StoredFactor> candidates, String bindingId,
      String codeMac, Instant now) {
    if (codeMac == null || !HEX64.matcher(codeMac).matches()) {
      return Optional.empty();
    }
    TotpMatch match = null;
    for (StoredFactor f : candidates) {
      if (!StoredFactor.TOTP.equals(f.type())) {
        continue;
      }
      byte[] secret = Base32.decode(factorBox.open(f.secret(), StoredFactor.totpSecretAad(tenant, account, f.id())));
      Totp totp = new Totp(Totp.Algorithm.fromName(f.algorithm()), f.digits(), f.period());
      long current = totp.step(now);
      for (long step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
        boolean same = CodeMac.same(macs.mac(tenant, bindingId, totp.code(secret, step)), codeMac);
        if (same && match == null) {
          match = new TotpMatch(f, step);
        }
      }
    }
    return Optional.ofNullable(match);
  }

  /**
   * A TOTP code of one of {@code candidates}, checked and spent: its step passes the replay guard (so
   * it is accepted once, also among concurrent checks) and the factor's last use is recorded.
   */
  Optional<StoredFactor> useTotp(String tenant, String account, List<StoredFactor> candidates, String bindingId,
      String codeMac, Instant now) {
    Optional<TotpMatch> match = matchTotp(tenant, account, candidates, bindingId, codeMac, now);
    if (match.isEmpty() || !store.acceptStep(tenant, account, match.get().factor().id(), match.get().step())) {
      return Optional.empty();
    }
    store.markUsed(tenant, account, match.get().factor().id(), now);
    return Optional.of(match.get().factor());
  }

  /**
   * Checks a recovery code's MAC against the account's stored hashes and spends it; true once per
   * code. Throws {@link Busy} (nothing checked, nothing spent) when every hashing slot stays taken.
   */
  boolean useRecoveryCode(String tenant, String account, AccountStore.Snapshot snapshot, String recoveryMac, Instant now) {
    if (recoveryMac == null || !HEX64.matcher(recoveryMac).matches()) {
      return false;
    }
    String field = AccountField.RECOVERY + recoveryMac.substring(0, RECOVERY_TAG_CHARS);
    String hash = snapshot.recoveryHashes().get(field);
    boolean verified = verifyBounded(hash != null ? hash : decoyHash, recoveryMac) && hash != null;
    return verified && store.consumeRecoveryCode(tenant, account, field, hash, now);
  }

  /** One Argon2id verification in one of the {@link #HASHES_AT_ONCE} slots; {@link Busy} when none frees up in time. */
  private boolean verifyBounded(String hash, String value) {
    try {
      if (!slots.tryAcquire(HASH_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new Busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Busy();
    }
    try {
      return PasswordHash.verify(hash, value);
    } finally {
      slots.release();
    }
  }
}
