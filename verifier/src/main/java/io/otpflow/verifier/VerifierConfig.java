package io.otpflow.verifier;

import io.otpflow.common.Env;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.kafka.KafkaSettings;

/** The verifier's configuration, from the environment; port of /metrics and /health defaults to 8082. */
public record VerifierConfig(
    KafkaSettings kafka, RedisSettings redis, TenantDirectory tenants, String httpHost, int httpPort) {

  public static final String SERVICE = "verifier";

  public static VerifierConfig fromEnv(Env env) {
    return new VerifierConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        RedisSettings.fromEnv(env),
        TenantDirectory.fromEnv(env),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", 8082));
  }

  @Override
  public String toString() {
    return "VerifierConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", tenants=" + tenants.all().size()
        + ", http=" + httpHost + ":" + httpPort + "]";
  }
}
