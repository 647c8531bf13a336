package io.otpflow.sms;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.kafka.KafkaSettings;
import java.net.URI;
import java.nio.file.Path;

/**
 * The SMS dispatcher's configuration, from the environment.
 *
 * @param provider "twilio" or "outbox" (SMS_PROVIDER, default outbox)
 * @param twilio Twilio settings, present when provider is twilio
 * @param outboxFile where the outbox provider appends messages (OTPFLOW_OUTBOX_FILE)
 * @param statusCallback the gateway's Twilio status webhook as Twilio reaches it (OTPFLOW_STATUS_CALLBACK_URL), or null
 */
public record DispatcherConfig(
    KafkaSettings kafka,
    RedisSettings redis,
    SecretBox dispatchBox,
    String provider,
    TwilioConfig twilio,
    Path outboxFile,
    URI statusCallback,
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
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", 8083));
  }

  @Override
  public String toString() {
    return "DispatcherConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", provider=" + provider
        + (twilio != null ? ", twilio=" + twilio : ", outbox=" + outboxFile) + ", statusCallback=" + statusCallback
        + ", http=" + httpHost + ":" + httpPort + ", keys=<hidden>]";
  }
}
