package io.otpflow.verifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.CodeMac;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;

/**
 * The verifier's own {@link Verifier} and {@link RedisCheckStore} on a Redis client, with Kafka cut
 * out, for the raw Redis benchmark: exactly the commands and scripts one check costs the verifier.
 * In the verifier's package (bench module only) because those classes are package-private.
 */
public final class VerifierRedisCalls {
  private final Verifier verifier;
  private final CodeMac codeMac;
  private final String tenant;

  public VerifierRedisCalls(UnifiedJedis redis, TenantDirectory tenants, String tenant, CodeMac codeMac,
      MeterRegistry metrics) {
    // Built as VerifierService builds it (account store, factor checks, funnel); an SMS check never opens a factor.
    AccountStore accounts = new AccountStore(redis, codeMac);
    SecretBox unusedFactorKeys = new SecretBox(Map.of("bench", new SecureRandom().generateSeed(32)));
    this.verifier = new Verifier(tenants, new RedisCheckStore(redis, codeMac), accounts,
        new FactorChecks(accounts, unusedFactorKeys, codeMac), Clock.systemUTC(), metrics, new CheckFunnel(redis, metrics),
        unusedFactorKeys);
    this.codeMac = codeMac;
    this.tenant = tenant;
  }

  /** One check of a typed code, with the MAC computed as the gateway computes it. */
  public CheckReply check(String verificationId, String code) {
    CheckRequest request = new CheckRequest(UUID.randomUUID().toString(), Instant.now(), tenant, verificationId,
        codeMac.mac(tenant, verificationId, code));
    return verifier.check(request).reply();
  }
}
