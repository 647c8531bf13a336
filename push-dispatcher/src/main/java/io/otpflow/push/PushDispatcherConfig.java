package io.otpflow.push;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.push.provider.ApnsConfig;
import io.otpflow.push.provider.FcmConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The push dispatcher's configuration, from the environment.
 *
 * @param providers PUSH_PROVIDER: {@code outbox} (default: every platform's pushes go to the outbox
 *     file) or the real providers to use, {@code apns}, {@code fcm} or {@code apns,fcm}; a platform
 *     without its provider fails its pushes as permanent
 * @param dispatchBox opens codes (OTPFLOW_DISPATCH_KEYS)
 * @param addressBox opens device tokens (OTPFLOW_ADDRESS_KEYS)
 * @param apns APNs settings, present when providers has apns
 * @param fcm FCM settings, present when providers has fcm
 * @param outboxFile where the outbox provider appends (OTPFLOW_OUTBOX_FILE), shared with the SMS outbox
 */
public record PushDispatcherConfig(
    KafkaSettings kafka,
    RedisSettings redis,
    SecretBox dispatchBox,
    SecretBox addressBox,
    Set<String> providers,
    ApnsConfig apns,
    FcmConfig fcm,
    Path outboxFile,
    String httpHost,
    int httpPort) {

  public static final String SERVICE = "push-dispatcher";
  public static final String ENV_PROVIDER = "PUSH_PROVIDER";
  public static final String OUTBOX = "outbox";
  public static final int DEFAULT_HTTP_PORT = 8084;

  public PushDispatcherConfig {
    providers = checked(providers);
    if (providers.contains("apns") && apns == null) {
      throw new IllegalArgumentException(ENV_PROVIDER + " names apns but the APNS_* settings are missing.");
    }
    if (providers.contains("fcm") && fcm == null) {
      throw new IllegalArgumentException(ENV_PROVIDER + " names fcm but the FCM_* settings are missing.");
    }
  }

  private static Set<String> checked(Set<String> providers) {
    if (providers.isEmpty() || (providers.contains(OUTBOX) && providers.size() > 1)
        || !Set.of(OUTBOX, "apns", "fcm").containsAll(providers)) {
      throw new IllegalArgumentException(ENV_PROVIDER + " must be 'outbox' or a list of 'apns' and 'fcm' (e.g."
          + " 'apns,fcm'), got " + providers + ".");
    }
    return Set.copyOf(providers);
  }

  public static PushDispatcherConfig fromEnv(Env env) {
    Set<String> listed = new LinkedHashSet<>();
    Arrays.stream(env.string(ENV_PROVIDER, OUTBOX).split(","))
        .map(String::trim).filter(p -> !p.isEmpty()).forEach(listed::add);
    Set<String> providers = checked(listed); // before the providers' own settings are read
    return new PushDispatcherConfig(
        KafkaSettings.fromEnv(env, SERVICE),
        RedisSettings.fromEnv(env),
        PlatformKeys.dispatchBox(env),
        PlatformKeys.addressBox(env),
        providers,
        providers.contains("apns") ? ApnsConfig.fromEnv(env) : null,
        providers.contains("fcm") ? FcmConfig.fromEnv(env) : null,
        Path.of(env.string("OTPFLOW_OUTBOX_FILE", "outbox.jsonl")),
        env.string("OTPFLOW_HTTP_HOST", "0.0.0.0"),
        env.integer("OTPFLOW_HTTP_PORT", DEFAULT_HTTP_PORT));
  }

  @Override
  public String toString() {
    return "PushDispatcherConfig[kafka=" + kafka + ", redis=" + redis.safeUri() + ", providers=" + providers
        + (apns != null ? ", apns=" + apns : "") + (fcm != null ? ", fcm=" + fcm : "")
        + (providers.contains(OUTBOX) ? ", outbox=" + outboxFile : "") + ", http=" + httpHost + ":" + httpPort
        + ", keys=<hidden>]";
  }
}
