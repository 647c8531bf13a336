package io.otpflow.issuer;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
import io.otpflow.common.CountryCode;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.PhoneMask;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.SmsDispatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting verifications: limits, code, keyed hash, dispatch. Every request is answered with a reply
 * value; a request delivered twice (same verification id) returns the first answer and sends nothing new.
 */
final class Issuer {
  private static final Logger LOG = LoggerFactory.getLogger(Issuer.class);
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
  /** Until the verification exists the claim is short-lived, so a failure half-way cannot block the key for a day. */
  private static final Duration IDEMPOTENCY_CLAIM_TTL = Duration.ofSeconds(30);
  /**
   * The push fatigue guard counts an account's push verifications since its last success, over at
   * most this long: an account nobody signs in to for a day gets pushes again.
   */
  static final Duration UNANSWERED_WINDOW = Duration.ofDays(1);
  /** Push context as the gateway validates it: printable, no format characters (bidi overrides), no braces. */
  /** A device's failure reason as the view shows it (dispatchers' reasons are like device-unregistered). */
  private static final Pattern REASON = Pattern.compile("[a-z0-9-]{1,40}");
  private static final Pattern CONTEXT = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}{}]{1,120}");

  /** Where dispatch events go; blocking until the broker has them. */
  interface DispatchPublisher {
    void publish(SmsDispatch dispatch) throws Exception;
  }

  private final TenantDirectory tenants;
  private final RedisChallengeStore store;
  private final CodeGenerator codes;
  private final CodeMac codeMac;
  private final SecretBox dispatchBox;
  private final DispatchPublisher dispatches;
  private final AccountRegistryReader accounts;
  private final SecretBox addressBox;
  private final Clock clock;
  private final SendFunnel funnel;
  private final SpendCap spendCap;
  private final PushFanOut pushes;
  private final java.security.SecureRandom random = new java.security.SecureRandom();

  /** Without prices and spend caps (tests of the send path). */
  Issuer(
      TenantDirectory tenants,
      RedisChallengeStore store,
      CodeGenerator codes,
      CodeMac codeMac,
      SecretBox dispatchBox,
      DispatchPublisher dispatches,
      AccountRegistryReader accounts,
      SecretBox addressBox,
      Clock clock,
      MeterRegistry metrics) {
    this(tenants, store, codes, codeMac, dispatchBox, dispatches, accounts, addressBox, clock,
        new SendFunnel(metrics, SmsPrices.NONE), null, PushFanOut.Publisher.NONE);
  }

  /** Without push (tests of the SMS path). */
  Issuer(
      TenantDirectory tenants,
      RedisChallengeStore store,
      CodeGenerator codes,
      CodeMac codeMac,
      SecretBox dispatchBox,
      DispatchPublisher dispatches,
      AccountRegistryReader accounts,
      SecretBox addressBox,
      Clock clock,
      SendFunnel funnel,
      SpendCap spendCap) {
    this(tenants, store, codes, codeMac, dispatchBox, dispatches, accounts, addressBox, clock, funnel, spendCap,
        PushFanOut.Publisher.NONE);
  }

  /**
   * @param spendCap enforces tenants' daily spend caps; null only for tenants that have none
   * @param pushes where push dispatch events go (all of one verification at once)
   */
  Issuer(
      TenantDirectory tenants,
      RedisChallengeStore store,
      CodeGenerator codes,
      CodeMac codeMac,
      SecretBox dispatchBox,
      DispatchPublisher dispatches,
      AccountRegistryReader accounts,
      SecretBox addressBox,
      Clock clock,
      SendFunnel funnel,
      SpendCap spendCap,
      PushFanOut.Publisher pushes) {
    this.tenants = tenants;
    this.store = store;
    this.codes = codes;
    this.codeMac = codeMac;
    this.dispatchBox = dispatchBox;
    this.dispatches = dispatches;
    this.accounts = accounts;
    this.addressBox = addressBox;
    this.clock = clock;
    this.funnel = funnel;
    this.spendCap = spendCap;
    this.pushes = new PushFanOut(dispatchBox, pushes, clock);
  }

  IssuerReply handle(IssuerRequest request) throws Exception {
    Optional<Tenant> tenant = tenants.byId(request.tenant());
    if (tenant.isEmpty()) {
      return new IssuerReply.Rejected("unknown-tenant", "The tenant is not configured on the issuer.");
    }
    return switch (request) {
      case IssuerRequest.Send send -> send(tenant.get(), send);
      case IssuerRequest.Status status -> status(tenant.get(), status.verificationId());
    };
  }

  private IssuerReply status(Tenant tenant, String verificationId) {
    return store
        .find(verificationId)
        .filter(v -> v.tenant().equals(tenant.id()))
        .<IssuerReply>map(v -> new IssuerReply.Found(v.view(clock.instant())))
        .orElseGet(IssuerReply.NotFound::new);
  }

  /** Channels whose code comes from the account's own factors: nothing is sent, nothing is stored but the verification. */
  private static boolean sendsNothing(String channel) {
    return "totp".equals(channel) || "recovery_code".equals(channel);
  }

  private IssuerReply send(Tenant tenant, IssuerRequest.Send request) throws Exception {
    IssuerRequest.Send send = request;
    if ("push".equals(send.channel())) {
      return startPush(tenant, send);
    }
    boolean silent = sendsNothing(send.channel());
    if (!silent && !"sms".equals(send.channel())) {
      return new IssuerReply.Rejected("unsupported-channel", "This issuer serves sms, push, totp and recovery_code.");
    }
    if (silent) {
      if (send.account() == null) {
        return new IssuerReply.Rejected("invalid-field", "A " + send.channel() + " verification needs an account.");
      }
      boolean has = "totp".equals(send.channel())
          ? accounts.hasActiveTotp(tenant.id(), send.account(), send.factorId())
          : accounts.recoveryCodesLeft(tenant.id(), send.account()) > 0;
      if (!has) {
        return new IssuerReply.Rejected("no-active-factor", "The account has no confirmed factor for " + send.channel() + ".");
      }
      return start(tenant, send, true);
    }
    if (send.to() == null && send.account() != null) {
      // An SMS to the account's confirmed phone: the registry keeps the number sealed with the address keys.
      Optional<AccountRegistryReader.Phone> phone = accounts.phone(tenant.id(), send.account(), send.factorId());
      if (phone.isEmpty()) {
        return new IssuerReply.Rejected("no-active-factor", "The account has no confirmed phone number.");
      }
      String number = addressBox.open(phone.get().sealedNumber(), StoredFactor.phoneNumberAad(tenant.id(), send.account()));
      send = new IssuerRequest.Send(send.eventId(), send.occurredAt(), send.tenant(), send.verificationId(), send.channel(),
          number, send.account(), send.clientIp(), send.idempotencyKey(), send.fingerprint(), phone.get().factorId(),
          send.mode(), send.numberMatching(), send.context());
    }
    return start(tenant, send, false);
  }

  private IssuerReply start(Tenant tenant, IssuerRequest.Send send, boolean silent) throws Exception {
    if (!silent && (send.to() == null || !E164.matcher(send.to()).matches())) {
      return new IssuerReply.Rejected("invalid-destination", "The destination is not an E.164 number.");
    }
    // A redelivered request finds its verification: answer again, dispatch only if that never happened.
    Optional<StoredVerification> existing = store.find(send.verificationId());
    if (existing.isPresent()) {
      if (!existing.get().tenant().equals(tenant.id())) {
        return new IssuerReply.Rejected("conflict", "The verification id is taken.");
      }
      if (keyReusedForAnotherRequest(tenant, send)) {
        return new IssuerReply.Rejected("idempotency-key-reused", "This Idempotency-Key was used for a different request.");
      }
      dispatchIfNeeded(tenant, send, existing.get());
      return new IssuerReply.Created(existing.get().view(clock.instant()), true);
    }
    String idempotencyKey = null;
    if (send.idempotencyKey() != null) {
      idempotencyKey = RedisKeys.idempotency(tenant.id(), TenantDirectory.sha256(send.idempotencyKey()));
      var claim =
          store.claimIdempotency(idempotencyKey, send.verificationId(), String.valueOf(send.fingerprint()), IDEMPOTENCY_CLAIM_TTL);
      if (claim instanceof RedisChallengeStore.IdempotencyClaim.Held held) {
        return replay(tenant, send, held, idempotencyKey);
      }
    }
    Instant now = clock.instant();
    String countryCode = silent ? Metrics.NONE : CountryCode.of(send.to());
    var admission = store.admit(silent ? tenantLimit(tenant) : limits(tenant, send,
        codeMac.mac(tenant.id(), "destination", send.to())), send.verificationId(), now);
    if (admission instanceof RedisChallengeStore.Admission.Refused refused) {
      if (idempotencyKey != null) {
        store.releaseIdempotency(idempotencyKey);
      }
      funnel.rateLimited(tenant.id(), send.channel(), countryCode, refused.limit());
      LOG.info("Send limit '{}' refused verification {} for {}.", refused.limit(), send.verificationId(),
          silent ? send.channel() : PhoneMask.mask(send.to()));
      return new IssuerReply.RateLimited(refused.limit(), seconds(refused.retryAfter()));
    }
    // After the limits (a refused send costs nothing), before anything is stored or sent; only SMS cost money.
    if (!silent && tenant.dailySpendCap() != null
        && spendCap.reserve(tenant, countryCode) instanceof SpendCap.Result.Refused capped) {
      if (idempotencyKey != null) {
        store.releaseIdempotency(idempotencyKey);
      }
      funnel.spendCapped(tenant.id(), send.channel(), countryCode);
      LOG.warn("Tenant {} reached its daily spend cap; verification {} is refused.", tenant.id(), send.verificationId());
      return new IssuerReply.RateLimited(IssuerReply.RateLimited.SPEND_CAP, seconds(capped.retryAfter()));
    }
    if (silent) {
      // Nothing to send: the code is in the user's authenticator app (or recovery codes).
      StoredVerification created = new StoredVerification(send.verificationId(), tenant.id(), send.channel(), null,
          send.account(), "pending", now, now.plus(tenant.codeTtl()), 0, tenant.maxChecks(), null, true);
      store.create(created, null, send.factorId(), countryCode);
      if (idempotencyKey != null) {
        store.keepIdempotency(idempotencyKey, created);
      }
      funnel.requested(tenant.id(), send.channel(), countryCode);
      LOG.info("Verification {} started; it is checked with the account's {}.", send.verificationId(), send.channel());
      return new IssuerReply.Created(created.view(now), false);
    }
    String code = codes.generate(tenant.codeLength());
    StoredVerification created =
        new StoredVerification(
            send.verificationId(), tenant.id(), send.channel(), PhoneMask.mask(send.to()), send.account(), "pending",
            now, now.plus(tenant.codeTtl()), 0, tenant.maxChecks(), "queued", false);
    store.create(created, codeMac.mac(tenant.id(), send.verificationId(), code), send.factorId(), countryCode);
    if (idempotencyKey != null) {
      store.keepIdempotency(idempotencyKey, created);
    }
    publish(tenant, send, created, code, now);
    funnel.requested(tenant.id(), send.channel(), countryCode);
    LOG.info("Verification {} started for {}; its code is on its way by sms.", send.verificationId(), PhoneMask.mask(send.to()));
    return new IssuerReply.Created(created.view(now), false);
  }

  /**
   * For a request whose caller stopped waiting (past its deadline, e.g. redelivered after a failed
   * dispatch): answer nobody, but finish a verification that was stored and never dispatched, so
   * the user is not left with a code that was never sent.
   */
  void finishIfStored(IssuerRequest request) throws Exception {
    if (request instanceof IssuerRequest.Send send) {
      Optional<Tenant> tenant = tenants.byId(send.tenant());
      if (tenant.isPresent()) {
        Optional<StoredVerification> stored = store.find(send.verificationId());
        if (stored.isPresent() && stored.get().tenant().equals(tenant.get().id())) {
          dispatchIfNeeded(tenant.get(), send, stored.get());
        }
      }
    }
  }

  /** Stored but never dispatched (the issuer stopped in between): the code was never kept, so send a fresh one. */
  private void dispatchIfNeeded(Tenant tenant, IssuerRequest.Send send, StoredVerification v) throws Exception {
    if (v.dispatched() || !"pending".equals(v.status()) || !clock.instant().isBefore(v.expiresAt())) {
      return;
    }
    if ("push".equals(v.channel())) {
      redispatchPush(tenant, send, v);
      return;
    }
    String code = codes.generate(tenant.codeLength());
    store.replaceMac(v.id(), codeMac.mac(tenant.id(), v.id(), code));
    publish(tenant, send, v, code, clock.instant());
  }

  /**
   * Seals the code for the dispatcher and waits for the broker; only then is the verification
   * marked dispatched and made the destination's current one, voiding the previous code. Voiding
   * earlier could leave the user with no working code when the dispatch fails.
   */
  private void publish(Tenant tenant, IssuerRequest.Send send, StoredVerification v, String code, Instant now)
      throws Exception {
    dispatches.publish(
        new SmsDispatch(
            UUID.randomUUID().toString(), now, tenant.id(), v.id(), send.to(),
            dispatchBox.seal(code, v.id()), tenant.renderedTemplate(), tenant.sender(), v.expiresAt()));
    store.markDispatched(v.id());
    store.makeCurrent(v, RedisKeys.destination(tenant.id(), codeMac.mac(tenant.id(), "destination", send.to())));
  }

  // ---------------------------------------------------------------- push

  /**
   * A push to every active device of the account: one code for all of them (code mode) or none
   * (approve mode, answered by a device), limits per account, IP and tenant plus the fatigue guard,
   * and every device's dispatch event acknowledged before the answer.
   */
  private IssuerReply startPush(Tenant tenant, IssuerRequest.Send send) throws Exception {
    String mode = send.mode();
    boolean matching = Boolean.TRUE.equals(send.numberMatching());
    if (send.account() == null || send.to() != null || !("code".equals(mode) || "approve".equals(mode))
        || (matching && !"approve".equals(mode))
        || (send.context() != null && !CONTEXT.matcher(send.context()).matches())) {
      return new IssuerReply.Rejected("invalid-field",
          "A push needs an account and mode code or approve; number matching only with approve.");
    }
    Optional<StoredVerification> existing = store.find(send.verificationId());
    if (existing.isPresent()) {
      if (!existing.get().tenant().equals(tenant.id())) {
        return new IssuerReply.Rejected("conflict", "The verification id is taken.");
      }
      if (keyReusedForAnotherRequest(tenant, send)) {
        return new IssuerReply.Rejected("idempotency-key-reused", "This Idempotency-Key was used for a different request.");
      }
      dispatchIfNeeded(tenant, send, existing.get());
      return new IssuerReply.Created(existing.get().view(clock.instant()), true);
    }
    List<AccountRegistryReader.Device> devices = accounts.activeDevices(tenant.id(), send.account());
    if (devices.isEmpty()) {
      return new IssuerReply.Rejected("no-active-factor", "The account has no push device.");
    }
    String idempotencyKey = null;
    if (send.idempotencyKey() != null) {
      idempotencyKey = RedisKeys.idempotency(tenant.id(), TenantDirectory.sha256(send.idempotencyKey()));
      var claim =
          store.claimIdempotency(idempotencyKey, send.verificationId(), String.valueOf(send.fingerprint()), IDEMPOTENCY_CLAIM_TTL);
      if (claim instanceof RedisChallengeStore.IdempotencyClaim.Held held) {
        return replay(tenant, send, held, idempotencyKey);
      }
    }
    Instant now = clock.instant();
    var admission = store.admit(pushLimits(tenant, send), send.verificationId(), now);
    if (admission instanceof RedisChallengeStore.Admission.Refused refused) {
      if (idempotencyKey != null) {
        store.releaseIdempotency(idempotencyKey);
      }
      funnel.rateLimited(tenant.id(), send.channel(), Metrics.NONE, refused.limit());
      LOG.info("Send limit '{}' refused push verification {}.", refused.limit(), send.verificationId());
      return new IssuerReply.RateLimited(refused.limit(), seconds(refused.retryAfter()));
    }
    String code = "code".equals(mode) ? codes.generate(tenant.codeLength()) : null;
    Map<String, String> queued = new LinkedHashMap<>();
    devices.forEach(d -> queued.put(d.deviceId(), "queued"));
    StoredVerification created = new StoredVerification(send.verificationId(), tenant.id(), "push", null, send.account(),
        "pending", now, now.plus(tenant.codeTtl()), 0, tenant.maxChecks(), "queued", false, mode,
        matching ? 10 + random.nextInt(90) : null, queued, null);
    store.createPush(created, code == null ? null : codeMac.mac(tenant.id(), created.id(), code),
        code == null ? null : Json.writeString(dispatchBox.seal(code, created.id())));
    if (idempotencyKey != null) {
      store.keepIdempotency(idempotencyKey, created);
    }
    pushes.send(tenant, created, code, send.context(), devices);
    store.markDispatched(created.id());
    funnel.requested(tenant.id(), "push", Metrics.NONE);
    LOG.info("Push verification {} ({} mode{}) is on its way to {} device(s).", created.id(), mode,
        matching ? ", number matching" : "", devices.size());
    return new IssuerReply.Created(created.view(now), false);
  }

  /**
   * Dispatches a stored push verification again (its events were never all acknowledged). The code
   * is the stored one, not a fresh one: the push dispatcher sends each device a verification once,
   * so a device that got the first code would never get a second. Devices removed meanwhile are left out.
   */
  private void redispatchPush(Tenant tenant, IssuerRequest.Send send, StoredVerification v) throws Exception {
    String code = null;
    if ("code".equals(v.mode())) {
      String sealed = store.sealedCode(v.id());
      if (sealed == null) {
        LOG.warn("Push verification {} is not dispatched but has no code kept; it is left as it is.", v.id());
        return;
      }
      code = dispatchBox.open(Json.MAPPER.readValue(sealed, io.otpflow.common.SealedValue.class), v.id());
    }
    List<AccountRegistryReader.Device> devices = accounts.activeDevices(tenant.id(), v.account()).stream()
        .filter(d -> v.devices().containsKey(d.deviceId())).toList();
    if (!devices.isEmpty()) {
      pushes.send(tenant, v, code, send.context(), devices);
    }
    store.markDispatched(v.id());
    LOG.info("Push verification {} was dispatched again to {} device(s).", v.id(), devices.size());
  }

  /** Per account, per IP (when given) and per tenant as for SMS, and the fatigue guard. */
  private List<RedisChallengeStore.Limit> pushLimits(Tenant tenant, IssuerRequest.Send send) {
    Tenant.SendLimits l = tenant.limits();
    String t = tenant.id();
    String account = AccountRegistryReader.accountMac(codeMac, t, send.account());
    List<RedisChallengeStore.Limit> limits = new ArrayList<>();
    limits.add(new RedisChallengeStore.Limit("account", RedisKeys.sendLimit(t, "acct", account), l.perAccount(),
        Duration.ofHours(1)));
    if (send.clientIp() != null) {
      limits.add(new RedisChallengeStore.Limit("ip",
          RedisKeys.sendLimit(t, "ip", codeMac.mac(t, "ip", send.clientIp())), l.perIp(), Duration.ofHours(1)));
    }
    limits.add(new RedisChallengeStore.Limit("tenant", RedisKeys.sendLimit(t, "all", "all"), l.perTenant(), Duration.ofMinutes(1)));
    limits.add(new RedisChallengeStore.Limit(IssuerReply.RateLimited.UNANSWERED, RedisKeys.pushUnanswered(t, account),
        tenant.push().maxUnanswered(), UNANSWERED_WINDOW));
    return limits;
  }

  /**
   * The gateway derives a keyed send's verification id from its Idempotency-Key, so a key reused for
   * another request finds the first one's verification by id: refuse it as the key claim would.
   */
  private boolean keyReusedForAnotherRequest(Tenant tenant, IssuerRequest.Send send) {
    if (send.idempotencyKey() == null) {
      return false;
    }
    String fingerprint = store.idempotencyFingerprint(
        RedisKeys.idempotency(tenant.id(), TenantDirectory.sha256(send.idempotencyKey())));
    return fingerprint != null && !fingerprint.equals(String.valueOf(send.fingerprint()));
  }

  private IssuerReply replay(
      Tenant tenant, IssuerRequest.Send send, RedisChallengeStore.IdempotencyClaim.Held held, String key)
      throws Exception {
    if (!held.fingerprint().equals(String.valueOf(send.fingerprint()))) {
      return new IssuerReply.Rejected(
          "idempotency-key-reused", "This Idempotency-Key was used for a different request.");
    }
    Optional<StoredVerification> v = store.find(held.verificationId()).filter(x -> x.tenant().equals(tenant.id()));
    if (v.isPresent()) {
      dispatchIfNeeded(tenant, send, v.get()); // the retry the key exists for: make sure the code went out
      return new IssuerReply.Created(v.get().view(clock.instant()), true);
    }
    if (store.idempotencyAge(key).compareTo(Duration.ofSeconds(30)) > 0) {
      // The claim outlived its verification's record: start afresh under the same key.
      store.releaseIdempotency(key);
      return send(tenant, send);
    }
    return new IssuerReply.Rejected(
        "idempotency-key-in-flight", "A request with this Idempotency-Key is still being processed.");
  }

  /** A verification that sends nothing costs nothing to send; only the tenant's overall rate applies. */
  private List<RedisChallengeStore.Limit> tenantLimit(Tenant tenant) {
    return List.of(new RedisChallengeStore.Limit("tenant", RedisKeys.sendLimit(tenant.id(), "all", "all"),
        tenant.limits().perTenant(), Duration.ofMinutes(1)));
  }

  private List<RedisChallengeStore.Limit> limits(Tenant tenant, IssuerRequest.Send send, String destinationHash) {
    Tenant.SendLimits l = tenant.limits();
    String t = tenant.id();
    List<RedisChallengeStore.Limit> limits = new ArrayList<>();
    limits.add(new RedisChallengeStore.Limit("interval", RedisKeys.sendLimit(t, "gap", destinationHash), 1, l.minInterval()));
    limits.add(new RedisChallengeStore.Limit(
        "destination", RedisKeys.sendLimit(t, "dest", destinationHash), l.perDestination(), l.destinationWindow()));
    if (send.account() != null) {
      limits.add(new RedisChallengeStore.Limit("account",
          RedisKeys.sendLimit(t, "acct", codeMac.mac(t, "account", send.account())), l.perAccount(), Duration.ofHours(1)));
    }
    if (send.clientIp() != null) {
      // Keyed hashes: a plain SHA-256 of an IPv4 address is reversed by trying all 2^32 of them.
      limits.add(new RedisChallengeStore.Limit("ip",
          RedisKeys.sendLimit(t, "ip", codeMac.mac(t, "ip", send.clientIp())), l.perIp(), Duration.ofHours(1)));
    }
    limits.add(new RedisChallengeStore.Limit("tenant", RedisKeys.sendLimit(t, "all", "all"), l.perTenant(), Duration.ofMinutes(1)));
    return limits;
  }

  /**
   * A delivery report moves the verification's delivery state forward (never back). A push report
   * is about one device: it moves that device's state, and the verification's follows from all of them.
   */
  void applyDelivery(DeliveryReport report) {
    if ("push".equals(report.channel()) && report.deviceId() == null) {
      LOG.warn("Ignoring a push delivery report for verification {} that names no device.", report.verificationId());
      return; // push is reported per device: without one it would be applied to the verification as a whole
    }
    Optional<RedisChallengeStore.DeliveryChange> moved = "push".equals(report.channel()) && report.deviceId() != null
        ? store.applyPushDelivery(report.verificationId(), report.deviceId(), report.state(),
            report.reason() == null || REASON.matcher(report.reason()).matches() ? report.reason() : "other",
            report.provider())
        : store.applyDelivery(report.verificationId(), report.state(), report.provider());
    moved.ifPresent(change -> {
      LOG.debug("Verification {} of tenant {} is now {}.", report.verificationId(), report.tenant(), change.state());
      funnel.delivery(change, report);
    });
  }

  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
