package io.otpflow.issuer;

import io.otpflow.common.CodeMac;
import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.kafka.KafkaSettings;
import java.time.Duration;

/**
 * The issuer's configuration, from the environment.
 *
 * @param httpPort port of /metrics and /health (OTPFLOW_HTTP_PORT, default 8081)
 * @param addressBox OTPFLOW_ADDRESS_KEYS: opens the phone numbers of accounts' phone factors
 * @param retention how long a verification's status is kept after it expires (OTPFLOW_VERIFICATION_RETENTION)
 * @param prices SMS prices by calling code (OTPFLOW_SMS_PRICES or OTPFLOW_SMS_PRICES_FILE), for cost and spend caps
 */
public record IssuerConfig(
    KafkaSettings kafka,
    RedisSettings redis,
    TenantDirectory tenants,
    CodeMac codeMac,
    SecretBox dispatchBox,
    SecretBox addressBox,
    String httpHost,
    int httpPort,
    Duration retention,
    SmsPrices prices) {

  public static final String SERVICE = "otp-issuer";

  public IssuerConfig {
    for (var tenant : tenants.all()) {
      if (tenant.dailySpendCap() != null && !prices.configured()) {
        throw new IllegalArgumentException("Tenant " + tenant.id() + " has a daily_spend_cap, but no SMS prices are"
            + " configured: set OTPFLOW_SMS_PRICES or OTPFLOW_SMS_PRICES_FILE, or the cap could never be reached.");
      }
    }
  }

  public static IssuerConfig fromEnv(Env env) {
    return new IssuerConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        RedisSettings.fromEnv(env),
        TenantDirectory.fromEnv(env),
        PlatformKeys.codeMac(env),
        PlatformKeys.dispatchBox(env),
        PlatformKeys.addressBox(env),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", 8081),
        env.duration("OTPFLOW_VERIFICATION_RETENTION", Duration.ofHours(1)),
        SmsPrices.fromEnv(env));
  }

  @Override
  public String toString() {
    return "IssuerConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", tenants=" + tenants.all().size()
        + ", http=" + httpHost + ":" + httpPort + ", prices=" + prices + ", keys=<hidden>]";
  }
}
