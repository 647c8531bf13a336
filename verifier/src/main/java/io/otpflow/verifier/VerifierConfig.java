package io.otpflow.verifier;

import io.otpflow.common.CodeMac;
import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.kafka.KafkaSettings;

/**
 * The verifier's configuration, from the environment; port of /metrics and /health defaults to 8082.
 *
 * @param codeMac OTPFLOW_CODE_MAC_KEY: MACs of TOTP candidates (to compare with the gateway's) and account hashes
 * @param factorBox OTPFLOW_FACTOR_KEYS: opens the authenticator-app secrets the gateway sealed
 */
public record VerifierConfig(
    KafkaSettings kafka, RedisSettings redis, TenantDirectory tenants, CodeMac codeMac, SecretBox factorBox,
    String httpHost, int httpPort) {

  public static final String SERVICE = "verifier";

  public static VerifierConfig fromEnv(Env env) {
    return new VerifierConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        RedisSettings.fromEnv(env),
        TenantDirectory.fromEnv(env),
        PlatformKeys.codeMac(env),
        PlatformKeys.factorBox(env),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", 8082));
  }

  @Override
  public String toString() {
    return "VerifierConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", tenants=" + tenants.all().size()
        + ", http=" + httpHost + ":" + httpPort + ", keys=<hidden>]";
  }
}
