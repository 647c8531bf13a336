package io.otpflow.push.provider;

import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import io.otpflow.common.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Settings for {@link ApnsPushSender}: token-based authentication with a .p8 signing key. Validated
 * on construction (the key is loaded once to check it), so a misconfigured dispatcher stops at
 * start-up rather than on its first push.
 *
 * @param keyFile the .p8 file Apple issued (PKCS#8 EC key); its content is never printed
 * @param keyId the key's 10-character id
 * @param teamId the 10-character team id
 * @param topic the app's bundle id (apns-topic)
 * @param environment production or sandbox: which of Apple's hosts to use
 * @param host another host (a proxy, a test server); null means the environment's
 * @param port the host's port; 0 means 443
 * @param trustedCertificate a PEM file of the certificate(s) to trust instead of the system's (tests, proxies), or null
 */
public record ApnsConfig(
    Path keyFile,
    String keyId,
    String teamId,
    String topic,
    String environment,
    String host,
    int port,
    Path trustedCertificate,
    Duration connectTimeout,
    Duration requestTimeout) {

  public static final String ENV_KEY_FILE = "APNS_KEY_FILE";
  public static final String ENV_KEY_ID = "APNS_KEY_ID";
  public static final String ENV_TEAM_ID = "APNS_TEAM_ID";
  public static final String ENV_TOPIC = "APNS_TOPIC";
  public static final String ENV_ENVIRONMENT = "APNS_ENVIRONMENT";
  public static final String ENV_HOST = "APNS_HOST";
  public static final String ENV_PORT = "APNS_PORT";
  public static final String ENV_TRUSTED_CERT_FILE = "APNS_TRUSTED_CERT_FILE";
  public static final String ENV_CONNECT_TIMEOUT = "APNS_CONNECT_TIMEOUT";
  public static final String ENV_REQUEST_TIMEOUT = "APNS_REQUEST_TIMEOUT";
  private static final Pattern APPLE_ID = Pattern.compile("[A-Z0-9]{10}");
  private static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9.-]{1,155}");
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

  public ApnsConfig {
    if (keyFile == null || !Files.isReadable(keyFile)) {
      throw new IllegalArgumentException(ENV_KEY_FILE + " must name a readable .p8 key file, got " + keyFile + ".");
    }
    if (keyId == null || !APPLE_ID.matcher(keyId).matches()) {
      throw new IllegalArgumentException(ENV_KEY_ID + " must be the key's 10-character id (A-Z, 0-9).");
    }
    if (teamId == null || !APPLE_ID.matcher(teamId).matches()) {
      throw new IllegalArgumentException(ENV_TEAM_ID + " must be the 10-character team id (A-Z, 0-9).");
    }
    if (topic == null || !BUNDLE_ID.matcher(topic).matches()) {
      throw new IllegalArgumentException(ENV_TOPIC + " must be the app's bundle id, e.g. com.example.authenticator.");
    }
    if (!"production".equals(environment) && !"sandbox".equals(environment)) {
      throw new IllegalArgumentException(ENV_ENVIRONMENT + " must be production or sandbox, got '" + environment + "'.");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(ENV_PORT + " must be a port number.");
    }
    if (trustedCertificate != null && !Files.isReadable(trustedCertificate)) {
      throw new IllegalArgumentException(ENV_TRUSTED_CERT_FILE + " must name a readable PEM file.");
    }
    connectTimeout = timeout(ENV_CONNECT_TIMEOUT, connectTimeout, Duration.ofSeconds(5));
    requestTimeout = timeout(ENV_REQUEST_TIMEOUT, requestTimeout, Duration.ofSeconds(10));
    signingKey(keyFile, teamId, keyId); // fails now, not on the first push
  }

  public static ApnsConfig fromEnv(Env env) {
    String trusted = env.string(ENV_TRUSTED_CERT_FILE, null);
    String key = env.string(ENV_KEY_FILE, null);
    return new ApnsConfig(
        key == null ? null : Path.of(key),
        env.string(ENV_KEY_ID, null),
        env.string(ENV_TEAM_ID, null),
        env.string(ENV_TOPIC, null),
        env.string(ENV_ENVIRONMENT, "production"),
        env.string(ENV_HOST, null),
        env.integer(ENV_PORT, 0),
        trusted == null ? null : Path.of(trusted),
        env.duration(ENV_CONNECT_TIMEOUT, null),
        env.duration(ENV_REQUEST_TIMEOUT, null));
  }

  /** The host pushes go to: the explicit one, else Apple's production or development host. */
  public String effectiveHost() {
    if (host != null) {
      return host;
    }
    return "sandbox".equals(environment) ? ApnsClientBuilder.DEVELOPMENT_APNS_HOST : ApnsClientBuilder.PRODUCTION_APNS_HOST;
  }

  public int effectivePort() {
    return port == 0 ? ApnsClientBuilder.DEFAULT_APNS_PORT : port;
  }

  static ApnsSigningKey signingKey(Path keyFile, String teamId, String keyId) {
    try {
      return ApnsSigningKey.loadFromPkcs8File(keyFile.toFile(), teamId, keyId);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(ENV_KEY_FILE + " is not a PKCS#8 EC signing key (.p8): "
          + e.getClass().getSimpleName());
    }
  }

  private static Duration timeout(String name, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero() || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(name + " must be more than 0 and at most 60s, got " + value + ".");
    }
    return value;
  }

  @Override
  public String toString() {
    return "ApnsConfig[host=" + effectiveHost() + ":" + effectivePort() + ", environment=" + environment + ", topic="
        + topic + ", keyId=" + keyId + ", teamId=" + teamId + ", key=<hidden>]";
  }
}
