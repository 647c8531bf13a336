package io.otpflow.gateway.platform;


import io.otpflow.common.Base32;
import io.otpflow.common.CodeMac;
import io.otpflow.common.PhoneMask;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.Topics;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountRequest;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.kafka.RequestReplyClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The platform as the gateway's callers see it, without HTTP: each method builds one request (codes
 * reduced to their MACs, secrets sealed), sends it to the issuer, the verifier or the account
 * registry over Kafka, and completes with the reply. The JSON API and the hosted pages both go
 * through here, so a page can do nothing the API could not, and both seal and MAC the same way.
 * Inputs are validated by the caller; replies are values, a failed future means the platform did
 * not answer in time.
 */
public final class PlatformCalls {
  static final Pattern TOTP_CODE = Pattern.compile("[0-9]{6,8}");

  private final CodeMac codeMac;
  private final SecretBox factorBox;
  private final SecretBox addressBox;
  private final RequestReplyClient kafka;
  private final Duration timeout;
  private final RecoveryCodes recoveryCodes = new RecoveryCodes();
  private final SecureRandom random = new SecureRandom();

  public PlatformCalls(CodeMac codeMac, SecretBox factorBox, SecretBox addressBox, RequestReplyClient kafka,
      Duration timeout) {
    this.codeMac = codeMac;
    this.factorBox = factorBox;
    this.addressBox = addressBox;
    this.kafka = kafka;
    this.timeout = timeout;
  }

  public Duration timeout() {
    return timeout;
  }

  /**
   * A validated send.
   *
   * @param to E.164 number, or null when the verification goes to the account's factor
   * @param clientIp the per-IP limit's subject (see VerificationApi), or null
   */
  public record Send(String to, String channel, String account, String clientIp, String factorId, String mode,
      Boolean numberMatching, String context, String idempotencyKey) {
    /** A verification through the account's own factor (sms to its phone, push, totp, recovery_code). */
    public static Send toAccount(String channel, String account, String factorId, String mode, Boolean numberMatching,
        String context, String clientIp) {
      return new Send(null, channel, account, clientIp, factorId, mode, numberMatching, context, null);
    }
  }

  public String newVerificationId() {
    return "VE" + HexFormat.of().formatHex(randomBytes(16));
  }

  /**
   * The id of the verification a send with this Idempotency-Key starts: the same for every retry
   * with the key, so the id a {@code 503 outcome-unknown} names is the one a retry gets, whichever of
   * the two requests the issuer serves first (both go to the same partition). A keyed MAC, so it
   * reveals nothing of the key and cannot be guessed from it.
   */
  public String verificationIdFor(Tenant tenant, String idempotencyKey) {
    return "VE" + codeMac.mac(tenant.id(), "idempotency-key", idempotencyKey).substring(0, 32);
  }

  public CompletableFuture<IssuerReply> send(Tenant tenant, String verificationId, Send s) {
    IssuerRequest.Send request = new IssuerRequest.Send(UUID.randomUUID().toString(), Instant.now(), tenant.id(),
        verificationId, s.channel(), s.to(), s.account(), s.clientIp(), s.idempotencyKey(),
        TenantDirectory.sha256(s.to() + "|" + s.channel() + "|" + s.account()
            + (s.factorId() == null ? "" : "|" + s.factorId())
            + (s.mode() == null ? "" : "|" + s.mode() + "|" + s.numberMatching() + "|" + s.context())),
        s.factorId(), s.mode(), s.numberMatching(), s.context());
    return kafka.request(Topics.ISSUER_REQUESTS, verificationId, request, IssuerReply.class, timeout).toCompletableFuture();
  }

  public CompletableFuture<IssuerReply> status(Tenant tenant, String verificationId) {
    return kafka.request(Topics.ISSUER_REQUESTS, verificationId,
        new IssuerRequest.Status(UUID.randomUUID().toString(), Instant.now(), tenant.id(), verificationId),
        IssuerReply.class, timeout).toCompletableFuture();
  }

  /**
   * Checks a code: digits, or a recovery code (any spelling {@link RecoveryCodes#normalise} accepts).
   * Only the code's MAC leaves the gateway; a recovery code also gets a MAC that does not depend on
   * the verification, to compare with the account's stored recovery-code hashes.
   */
  public CompletableFuture<CheckReply> check(Tenant tenant, String verificationId, String code) {
    String recovery = RecoveryCodes.normalise(code);
    String typed = recovery != null ? recovery : code;
    CheckRequest request = new CheckRequest(UUID.randomUUID().toString(), Instant.now(), tenant.id(), verificationId,
        codeMac.mac(tenant.id(), verificationId, typed),
        recovery == null ? null : codeMac.mac(tenant.id(), "recovery-code", recovery));
    return kafka.request(Topics.VERIFIER_REQUESTS, verificationId, request, CheckReply.class, timeout).toCompletableFuture();
  }

  /**
   * A push device's answer: approve or deny (with the number, under number matching), its signature
   * sealed with the factor keys for the verifier, which holds the device's public key.
   *
   * @param tenantId the caller's tenant when it sent an API key, else null (the verifier then takes the verification's)
   */
  public CompletableFuture<CheckReply> answer(String tenantId, String verificationId, String deviceId, String decision,
      Integer number, byte[] signature) {
    CheckRequest.Answer answer = new CheckRequest.Answer(deviceId, decision, number, factorBox.seal(
        java.util.Base64.getEncoder().encodeToString(signature), CheckRequest.Answer.signatureAad(verificationId, deviceId)));
    return kafka.request(Topics.VERIFIER_REQUESTS, verificationId,
        CheckRequest.answer(UUID.randomUUID().toString(), Instant.now(), tenantId, verificationId, answer),
        CheckReply.class, timeout).toCompletableFuture();
  }

  // ---------------------------------------------------------------- the account registry

  public CompletableFuture<AccountReply> account(Tenant tenant, String account) {
    return ask(tenant, account, new AccountRequest.Get(UUID.randomUUID().toString(), Instant.now(), tenant.id(), account));
  }

  /** A started authenticator-app enrolment: the registry's reply, and what to show the person once. */
  public record TotpEnrollment(AccountReply reply, String factorId, String secret, String otpauthUri) {}

  public CompletableFuture<TotpEnrollment> enrollTotp(Tenant tenant, String account, String label) {
    Tenant.TotpSettings settings = tenant.totp();
    String secret = Base32.encode(randomBytes(settings.algorithm().secretBytes()));
    String factorId = "FA" + HexFormat.of().formatHex(randomBytes(16));
    AccountRequest.EnrollTotp request = new AccountRequest.EnrollTotp(UUID.randomUUID().toString(), Instant.now(),
        tenant.id(), account, factorId, factorBox.seal(secret, StoredFactor.totpSecretAad(tenant.id(), account, factorId)),
        settings.algorithm().uriName(), settings.digits(), settings.periodSeconds(), label);
    return ask(tenant, account, request)
        .thenApply(reply -> new TotpEnrollment(reply, factorId, secret, otpauthUri(tenant, account, secret, settings)));
  }

  /**
   * The Key Uri Format: otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=…&digits=…&period=….
   * Issuer and account are percent-encoded (spaces as %20); the issuer is given twice, in the label
   * and as a parameter, as the format recommends, so old and new apps both show it.
   */
  public static String otpauthUri(Tenant tenant, String account, String secret, Tenant.TotpSettings settings) {
    String issuer = tenant.displayName().replace(":", "");
    return "otpauth://totp/" + encode(issuer) + ":" + encode(account) + "?secret=" + secret + "&issuer=" + encode(issuer)
        + "&algorithm=" + settings.algorithm().uriName() + "&digits=" + settings.digits() + "&period="
        + settings.periodSeconds();
  }

  /**
   * A started phone enrolment: the registry's reply and, when it took the factor, the issuer's reply
   * to the confirmation SMS (null when the registry refused).
   */
  public record PhoneEnrollment(AccountReply reply, IssuerReply sent, String factorId, String verificationId) {}

  /** Enrols {@code e164} and sends its confirmation: an ordinary SMS verification with its limits, bound to the factor. */
  public CompletableFuture<PhoneEnrollment> enrollPhone(Tenant tenant, String account, String e164, String label) {
    String factorId = "FA" + HexFormat.of().formatHex(randomBytes(16));
    String verificationId = newVerificationId();
    AccountRequest.EnrollPhone request = new AccountRequest.EnrollPhone(UUID.randomUUID().toString(), Instant.now(),
        tenant.id(), account, factorId, addressBox.seal(e164, StoredFactor.phoneNumberAad(tenant.id(), account)),
        PhoneMask.mask(e164), codeMac.mac(tenant.id(), "phone-number", e164), verificationId, label);
    return ask(tenant, account, request).thenCompose(reply -> {
      if (!(reply instanceof AccountReply.Done)) {
        return CompletableFuture.completedFuture(new PhoneEnrollment(reply, null, factorId, verificationId));
      }
      IssuerRequest.Send send = new IssuerRequest.Send(UUID.randomUUID().toString(), Instant.now(), tenant.id(),
          verificationId, "sms", e164, account, null, null,
          TenantDirectory.sha256(e164 + "|sms|" + account + "|" + factorId), factorId, null, null, null);
      return kafka.request(Topics.ISSUER_REQUESTS, verificationId, send, IssuerReply.class, timeout).toCompletableFuture()
          .thenApply(sent -> new PhoneEnrollment(reply, sent, factorId, verificationId));
    });
  }

  /**
   * Confirms an enrolment with a code: the app's current code, or the code of the SMS sent to the
   * number. The code's MAC is bound to what the verifier checks it against, which depends on the
   * factor's kind, so the factor is read first. NotFound for an unknown factor or a device.
   */
  public CompletableFuture<AccountReply> confirm(Tenant tenant, String account, String factorId, String code) {
    return account(tenant, account).thenCompose(reply -> {
      AccountView.Factor factor = reply instanceof AccountReply.Done d ? find(d.account(), factorId) : null;
      if (factor == null || StoredFactor.DEVICE.equals(factor.type())) {
        return CompletableFuture.completedFuture(reply instanceof AccountReply.Done ? new AccountReply.NotFound() : reply);
      }
      String eventId = UUID.randomUUID().toString();
      String binding = StoredFactor.PHONE.equals(factor.type()) && factor.verificationId() != null
          ? factor.verificationId() : eventId;
      return ask(tenant, account, new AccountRequest.Confirm(eventId, Instant.now(), tenant.id(), account, factorId,
          codeMac.mac(tenant.id(), binding, code)));
    });
  }

  /**
   * What proves a change: a code (the app's current code or a recovery code), a recent approved
   * verification of the account, or (admin) a reason.
   */
  public record Proof(String code, String verificationId, boolean admin, String reason) {
    public static Proof code(String code) {
      return new Proof(code, null, false, null);
    }

    public static Proof verification(String verificationId) {
      return new Proof(null, verificationId, false, null);
    }

    public static Proof admin(String reason) {
      return new Proof(null, null, true, reason);
    }

    /** True when the code, if any, is an app code or a recovery code, the only codes a proof can be. */
    public boolean wellFormed() {
      return code == null || RecoveryCodes.normalise(code) != null || TOTP_CODE.matcher(code).matches();
    }
  }

  public CompletableFuture<AccountReply> remove(Tenant tenant, String account, String factorOrDeviceId, Proof proof) {
    String eventId = UUID.randomUUID().toString();
    return ask(tenant, account, new AccountRequest.Remove(eventId, Instant.now(), tenant.id(), account, factorOrDeviceId,
        sealedProof(tenant, eventId, proof)));
  }

  /** Turns two-step verification off: every factor, device and recovery code of the account, on one proof. */
  public CompletableFuture<AccountReply> turnOff(Tenant tenant, String account, Proof proof) {
    String eventId = UUID.randomUUID().toString();
    return ask(tenant, account, new AccountRequest.TurnOff(eventId, Instant.now(), tenant.id(), account,
        sealedProof(tenant, eventId, proof)));
  }

  /** A new set of recovery codes: the registry's reply and, when it took them, the codes to show once. */
  public record RecoveryCodeSet(AccountReply reply, List<String> codes) {}

  public CompletableFuture<RecoveryCodeSet> generateRecoveryCodes(Tenant tenant, String account, Proof proof) {
    String eventId = UUID.randomUUID().toString();
    List<String> codes = new ArrayList<>();
    List<String> macs = new ArrayList<>();
    Set<String> tags = new HashSet<>();
    while (codes.size() < RecoveryCodes.PER_SET) {
      String code = recoveryCodes.generate();
      String mac = codeMac.mac(tenant.id(), "recovery-code", RecoveryCodes.normalise(code));
      if (tags.add(mac.substring(0, 8))) { // the verifier stores each hash under this tag: keep them distinct
        codes.add(code);
        macs.add(mac);
      }
    }
    return ask(tenant, account, new AccountRequest.GenerateRecoveryCodes(eventId, Instant.now(), tenant.id(), account, macs,
        sealedProof(tenant, eventId, proof))).thenApply(reply -> new RecoveryCodeSet(reply, codes));
  }

  /** The proof as the registry takes it: codes as MACs (an app code bound to this change's event id). */
  private AccountRequest.Proof sealedProof(Tenant tenant, String eventId, Proof proof) {
    if (!proof.wellFormed()) {
      throw new IllegalArgumentException("A proof's code must be an app code or a recovery code.");
    }
    String recovery = proof.code() == null ? null : RecoveryCodes.normalise(proof.code());
    String recoveryMac = recovery == null ? null : codeMac.mac(tenant.id(), "recovery-code", recovery);
    String appMac = proof.code() != null && recovery == null ? codeMac.mac(tenant.id(), eventId, proof.code()) : null;
    return new AccountRequest.Proof(appMac, recoveryMac, proof.verificationId(), proof.admin(), proof.reason());
  }

  /** Sends a request to the account registry, keyed (and so ordered) by the account. */
  public CompletableFuture<AccountReply> ask(Tenant tenant, String account, AccountRequest request) {
    String key = AccountRegistryReader.accountMac(codeMac, tenant.id(), account);
    return kafka.request(Topics.ACCOUNT_REQUESTS, key, request, AccountReply.class, timeout).toCompletableFuture();
  }

  /** The factor or device {@code id} of {@code view}, or null. */
  public static AccountView.Factor find(AccountView view, String id) {
    for (AccountView.Factor f : view.factors()) {
      if (f.id().equals(id)) {
        return f;
      }
    }
    for (AccountView.Factor f : view.devices()) {
      if (f.id().equals(id)) {
        return f;
      }
    }
    return null;
  }

  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }
}
