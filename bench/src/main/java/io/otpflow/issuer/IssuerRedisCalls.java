package io.otpflow.issuer;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
import io.otpflow.common.PhoneMask;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.SmsDispatch;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;

/**
 * The issuer's own {@link Issuer} and {@link RedisChallengeStore} on a Redis client, with Kafka cut
 * out: the raw Redis benchmark runs exactly the commands and scripts a send costs the issuer, in its
 * order, and so cannot drift from them. It lives in the issuer's package (in the bench module, on the
 * class path only) because those classes are package-private; nothing in the issuer depends on it.
 */
public final class IssuerRedisCalls {
  private final Issuer issuer;
  private final RedisChallengeStore store;
  private final CodeMac codeMac;
  private final Tenant tenant;

  /** What one send produced: the reply, and the dispatch event the issuer would have published. */
  public record Sent(IssuerReply reply, SmsDispatch dispatch) {}

  public IssuerRedisCalls(
      UnifiedJedis redis, TenantDirectory tenants, String tenantId, CodeMac codeMac, SecretBox dispatchBox,
      Duration retention, MeterRegistry metrics) {
    this.store = new RedisChallengeStore(redis, retention);
    this.codeMac = codeMac;
    this.tenant = tenants.byId(tenantId).orElseThrow();
    // The issuer hands each dispatch event to the thread that asked, which is the one calling send().
    // Built as IssuerService builds it (registry reader, funnel), so the raw run costs what a send costs;
    // the bench tenant has no spend cap, and SMS to a number never opens an address.
    this.issuer = new Issuer(tenants, store, new CodeGenerator(), codeMac, dispatchBox, CAPTURED::set,
        new AccountRegistryReader(redis, codeMac, Clock.systemUTC()), new SecretBox(Map.of("bench", new SecureRandom().generateSeed(32))),
        Clock.systemUTC(),
        new SendFunnel(metrics, SmsPrices.NONE), null);
  }

  private static final ThreadLocal<SmsDispatch> CAPTURED = new ThreadLocal<>();

  /** One send as the issuer serves it (limits, code, record, dispatch, current destination). */
  public Sent send(String verificationId, String to, String account) throws Exception {
    CAPTURED.remove();
    IssuerRequest.Send request = IssuerRequest.Send.sms(
        UUID.randomUUID().toString(), Instant.now(), tenant.id(), verificationId, to, account, null, null,
        TenantDirectory.sha256(to + "|sms|" + account));
    IssuerReply reply = issuer.handle(request);
    return new Sent(reply, CAPTURED.get());
  }

  /** The delivery report the issuer applies once the dispatcher has sent the SMS. */
  public void delivered(String verificationId, String state) {
    issuer.applyDelivery(new DeliveryReport(UUID.randomUUID().toString(), Instant.now(), tenant.id(), verificationId,
        "sms", "twilio", state, "SM" + verificationId.substring(2), null, null, null));
  }

  /**
   * Stores a pending verification with a known code the way the issuer stores a new one (its
   * {@code create}): fixtures for checks, without paying for a whole send each.
   */
  public void store(String verificationId, String to, String account, String code, Instant now) {
    StoredVerification v = new StoredVerification(verificationId, tenant.id(), "sms", PhoneMask.mask(to), account,
        "pending", now, now.plus(tenant.codeTtl()), 0, tenant.maxChecks(), "queued", true);
    store.create(v, codeMac.mac(tenant.id(), verificationId, code));
  }
}
