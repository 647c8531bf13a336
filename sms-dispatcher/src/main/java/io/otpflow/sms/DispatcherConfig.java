package io.otpflow.sms;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.kafka.KafkaSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The SMS dispatcher's configuration, from the environment.
 *
 * @param provider "twilio" or "outbox" (SMS_PROVIDER, default outbox)
 * @param twilio Twilio settings, present when provider is twilio
 * @param outboxFile where the outbox provider appends messages (OTPFLOW_OUTBOX_FILE)
 * @param statusCallback the gateway's Twilio status webhook as Twilio reaches it (OTPFLOW_STATUS_CALLBACK_URL), or null
 * @param lease how long a dispatcher holds a send before another may take it over, should it have died
 *     (OTPFLOW_SMS_LEASE, default 30 s); longer than a provider call can take
 */
public record DispatcherConfig(
    KafkaSettings kafka,
    RedisSettings redis,
    SecretBox dispatchBox,
    String provider,
    TwilioConfig twilio,
    Path outboxFile,
    URI statusCallback,
    Duration lease,
    String httpHost,
    int httpPort) {

  public static final String SERVICE = "sms-dispatcher";

  public DispatcherConfig {
    if (!"twilio".equals(provider) && !"outbox".equals(provider)) {
      throw new IllegalArgumentException("SMS_PROVIDER must be 'twilio' or 'outbox', got '" + provider + "'.");
    }
    if ("twilio".equals(provider) && twilio == null) {
      throw new IllegalArgumentException("SMS_PROVIDER=twilio needs the TWILIO_* settings.");
    }
    // A lease that can run out while its owner still waits for the provider would let a second dispatcher send too.
    Duration call = twilio != null ? twilio.connectTimeout().plus(twilio.readTimeout()) : Duration.ofSeconds(1);
    if (lease == null || lease.compareTo(call) <= 0) {
      throw new IllegalArgumentException("OTPFLOW_SMS_LEASE must be longer than a provider call can take ("
          + call.toSeconds() + " s: the Twilio connect + read timeouts), got " + lease + ".");
    }
  }

  public static DispatcherConfig fromEnv(Env env) {
    String provider = env.string("SMS_PROVIDER", "outbox");
    String callback = env.string("OTPFLOW_STATUS_CALLBACK_URL", null);
    return new DispatcherConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        RedisSettings.fromEnv(env),
        PlatformKeys.dispatchBox(env),
        provider,
        "twilio".equals(provider) ? TwilioConfig.fromEnv(env) : null,
        Path.of(env.string("OTPFLOW_OUTBOX_FILE", "outbox.jsonl")),
        callback == null ? null : URI.create(callback),
        env.duration("OTPFLOW_SMS_LEASE", SmsDispatcher.DEFAULT_LEASE),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", 8083));
  }

  @Override
  public String toString() {
    return "DispatcherConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", provider=" + provider
        + (twilio != null ? ", twilio=" + twilio : ", outbox=" + outboxFile) + ", statusCallback=" + statusCallback + ", lease=" + lease
        + ", http=" + httpHost + ":" + httpPort + ", keys=<hidden>]";
  }
}
