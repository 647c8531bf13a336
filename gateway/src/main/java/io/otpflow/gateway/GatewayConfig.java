package io.otpflow.gateway;

import io.otpflow.gateway.store.AnswerRateLimit;

import io.otpflow.common.CodeMac;
import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.kafka.KafkaSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The gateway's configuration, from the environment.
 *
 * @param factorBox OTPFLOW_FACTOR_KEYS: seals authenticator-app secrets at enrolment (and QR code links)
 * @param addressBox OTPFLOW_ADDRESS_KEYS: seals phone numbers of phone factors and push tokens
 * @param instanceId this instance's name on the reply topic (OTPFLOW_INSTANCE_ID, random by default)
 * @param requestTimeout how long a request waits for the issuer or verifier before answering 503
 * @param maxBodyBytes larger request bodies get 413
 * @param publicUrl the URL providers use to reach this gateway (webhook signatures cover it)
 * @param twilioAuthToken validates X-Twilio-Signature; null disables the Twilio webhook (404)
 * @param devOutboxFile when set (development only), GET /dev/outbox shows this outbox file
 * @param devDevices OTPFLOW_DEV_DEVICES (development only, needs the dev outbox): the outbox page can add
 *     simulated push devices whose private keys it holds, and approve or deny pushes for them
 * @param answerRateLimit OTPFLOW_ANSWER_RATE_LIMIT: device answers without an API key one client address
 *     may send per minute to this instance (0: no limit)
 * @param trustedProxies OTPFLOW_TRUSTED_PROXIES: addresses of reverse proxies whose X-Forwarded-For names
 *     the client for that limit (canonical spelling, see {@link AnswerRateLimit#canonical})
 * @param redis REDIS_URL: the hosted pages keep their users, sessions and company policy there
 * @param secureCookies OTPFLOW_SECURE_COOKIES: mark session cookies Secure (default: when the public URL
 *     is https); off only for plain-http development
 * @param metricsSources OTPFLOW_METRICS_SOURCES: comma-separated /metrics URLs of the platform's services, which
 *     the operator page reads for the delivery funnel (empty: the gateway's own numbers only)
 * @param managementPort OTPFLOW_MANAGEMENT_PORT: where the gateway serves /metrics (and its health checks
 *     again), apart from the public port, so Prometheus reaches it and the internet does not (0: any free port)
 */
public record GatewayConfig(
    KafkaSettings kafka,
    TenantDirectory tenants,
    CodeMac codeMac,
    SecretBox factorBox,
    SecretBox addressBox,
    String httpHost,
    int httpPort,
    String instanceId,
    Duration requestTimeout,
    int maxBodyBytes,
    URI publicUrl,
    String twilioAuthToken,
    Path devOutboxFile,
    boolean devDevices,
    int answerRateLimit,
    java.util.Set<String> trustedProxies,
    io.otpflow.common.RedisSettings redis,
    boolean secureCookies,
    java.util.List<URI> metricsSources,
    int managementPort) {

  public static final String SERVICE = "gateway";

  public GatewayConfig {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("OTPFLOW_REQUEST_TIMEOUT must be positive.");
    }
    if (instanceId == null || !instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("OTPFLOW_INSTANCE_ID must be 1-64 letters, digits or . _ - characters.");
    }
    if (maxBodyBytes < 256) {
      throw new IllegalArgumentException("OTPFLOW_MAX_BODY_BYTES must be at least 256.");
    }
    if (answerRateLimit < 0 || answerRateLimit > 1_000_000) {
      throw new IllegalArgumentException("OTPFLOW_ANSWER_RATE_LIMIT must be 0 (off) to 1000000 per minute.");
    }
    trustedProxies = java.util.Set.copyOf(trustedProxies);
    metricsSources = java.util.List.copyOf(metricsSources);
    if (managementPort < 0 || managementPort > 65535 || (managementPort != 0 && managementPort == httpPort)) {
      throw new IllegalArgumentException("OTPFLOW_MANAGEMENT_PORT must be 0-65535 and not OTPFLOW_HTTP_PORT: /metrics"
          + " stays off the public port.");
    }
    if (devDevices && devOutboxFile == null) {
      throw new IllegalArgumentException("OTPFLOW_DEV_DEVICES needs OTPFLOW_DEV_OUTBOX_FILE: they live on the outbox page.");
    }
  }

  public static GatewayConfig fromEnv(Env env) {
    int port = env.integer("OTPFLOW_HTTP_PORT", 8080);
    String outbox = env.string("OTPFLOW_DEV_OUTBOX_FILE", null);
    return new GatewayConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        TenantDirectory.fromEnv(env),
        PlatformKeys.codeMac(env),
        PlatformKeys.factorBox(env),
        PlatformKeys.addressBox(env),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        port,
        env.string("OTPFLOW_INSTANCE_ID", "gw-" + UUID.randomUUID().toString().substring(0, 8)),
        env.duration("OTPFLOW_REQUEST_TIMEOUT", Duration.ofSeconds(3)),
        env.integer("OTPFLOW_MAX_BODY_BYTES", 16 * 1024),
        URI.create(env.string("OTPFLOW_PUBLIC_URL", "http://127.0.0.1:" + port)),
        env.string("TWILIO_AUTH_TOKEN", null),
        outbox == null ? null : Path.of(outbox),
        env.flag("OTPFLOW_DEV_DEVICES", false),
        env.integer("OTPFLOW_ANSWER_RATE_LIMIT", 60),
        trustedProxies(env.string("OTPFLOW_TRUSTED_PROXIES", "")),
        io.otpflow.common.RedisSettings.fromEnv(env),
        env.flag("OTPFLOW_SECURE_COOKIES", env.string("OTPFLOW_PUBLIC_URL", "http:").startsWith("https:")),
        metricsSources(env.string("OTPFLOW_METRICS_SOURCES", "")),
        env.integer("OTPFLOW_MANAGEMENT_PORT", 9080));
  }

  /** Comma-separated http(s) URLs; anything else fails the start. */
  private static java.util.List<URI> metricsSources(String list) {
    java.util.List<URI> sources = new java.util.ArrayList<>();
    for (String entry : list.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      URI uri = URI.create(entry.strip());
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("OTPFLOW_METRICS_SOURCES must list http(s) URLs, got '" + entry.strip() + "'.");
      }
      sources.add(uri);
    }
    return java.util.List.copyOf(sources);
  }

  /** Comma-separated IP addresses, each in its canonical spelling; anything else fails the start. */
  private static java.util.Set<String> trustedProxies(String list) {
    java.util.Set<String> proxies = new java.util.HashSet<>();
    for (String entry : list.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String canonical = AnswerRateLimit.canonical(entry.strip());
      if (canonical == null) {
        throw new IllegalArgumentException("OTPFLOW_TRUSTED_PROXIES must list IP addresses, got '" + entry.strip() + "'.");
      }
      proxies.add(canonical);
    }
    return proxies;
  }

  @Override
  public String toString() {
    return "GatewayConfig[instance=" + instanceId + ", kafka=" + kafka + ", http=" + httpHost + ":" + httpPort + ", management=" + managementPort
        + ", publicUrl=" + publicUrl + ", requestTimeout=" + requestTimeout + ", twilioWebhook="
        + (twilioAuthToken != null) + ", devOutbox=" + (devOutboxFile != null) + ", devDevices=" + devDevices
        + ", answerRateLimit=" + answerRateLimit + "/min, trustedProxies=" + trustedProxies.size() + ", redis=" + redis.safeUri() + ", secureCookies="
        + secureCookies + ", keys=<hidden>]";
  }
}
