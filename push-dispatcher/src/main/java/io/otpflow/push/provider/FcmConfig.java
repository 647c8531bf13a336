package io.otpflow.push.provider;

import io.otpflow.common.Env;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Settings for {@link FcmPushSender}: a service account's key file, the Firebase project, and where
 * the FCM HTTP v1 API and the OAuth2 token endpoint are (both overridable, for a proxy or a test
 * server). The key file is read and parsed here, so a bad one stops the dispatcher at start-up.
 *
 * @param account the parsed service account (its key is never printed)
 * @param projectId FCM_PROJECT_ID, else the service account's project
 * @param apiBaseUrl FCM_API_BASE_URL, default https://fcm.googleapis.com
 * @param tokenUrl FCM_TOKEN_URL, else the service account's token_uri
 */
public record FcmConfig(
    FcmServiceAccount account,
    String projectId,
    URI apiBaseUrl,
    URI tokenUrl,
    Duration connectTimeout,
    Duration requestTimeout) {

  public static final String ENV_CREDENTIALS_FILE = "FCM_CREDENTIALS_FILE";
  public static final String ENV_PROJECT_ID = "FCM_PROJECT_ID";
  public static final String ENV_API_BASE_URL = "FCM_API_BASE_URL";
  public static final String ENV_TOKEN_URL = "FCM_TOKEN_URL";
  public static final String ENV_CONNECT_TIMEOUT = "FCM_CONNECT_TIMEOUT";
  public static final String ENV_REQUEST_TIMEOUT = "FCM_REQUEST_TIMEOUT";
  public static final URI DEFAULT_API_BASE_URL = URI.create("https://fcm.googleapis.com");
  private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

  public FcmConfig {
    if (account == null) {
      throw new IllegalArgumentException(ENV_CREDENTIALS_FILE + " must name a service account key file.");
    }
    projectId = projectId == null || projectId.isBlank() ? account.projectId() : projectId.trim();
    if (!projectId.matches("[a-z][a-z0-9-]{4,61}[a-z0-9]")) {
      throw new IllegalArgumentException(ENV_PROJECT_ID + " must be a Firebase project id, got '" + projectId + "'.");
    }
    apiBaseUrl = url(ENV_API_BASE_URL, apiBaseUrl == null ? DEFAULT_API_BASE_URL : apiBaseUrl);
    tokenUrl = url(ENV_TOKEN_URL, tokenUrl == null ? account.tokenUri() : tokenUrl);
    connectTimeout = timeout(ENV_CONNECT_TIMEOUT, connectTimeout, Duration.ofSeconds(5));
    requestTimeout = timeout(ENV_REQUEST_TIMEOUT, requestTimeout, Duration.ofSeconds(10));
  }

  public static FcmConfig fromEnv(Env env) {
    String file = env.string(ENV_CREDENTIALS_FILE, null);
    String base = env.string(ENV_API_BASE_URL, null);
    String token = env.string(ENV_TOKEN_URL, null);
    return new FcmConfig(
        file == null ? null : read(Path.of(file)),
        env.string(ENV_PROJECT_ID, null),
        base == null ? null : URI.create(base),
        token == null ? null : URI.create(token),
        env.duration(ENV_CONNECT_TIMEOUT, null),
        env.duration(ENV_REQUEST_TIMEOUT, null));
  }

  private static FcmServiceAccount read(Path file) {
    try {
      return FcmServiceAccount.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(ENV_CREDENTIALS_FILE + " cannot be read: " + file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_CREDENTIALS_FILE + " (" + file + "): " + e.getMessage());
    }
  }

  /** The send endpoint of the v1 API for this project. */
  public URI sendUrl() {
    String base = apiBaseUrl.toString().replaceAll("/+$", "");
    return URI.create(base + "/v1/projects/" + projectId + "/messages:send");
  }

  private static URI url(String name, URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawQuery() != null
        || url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(name + " must be an http(s) URL with a host and no query or user info, got '"
          + url + "'.");
    }
    return url;
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
    return "FcmConfig[project=" + projectId + ", api=" + apiBaseUrl + ", tokenUrl=" + tokenUrl + ", account="
        + account.clientEmail() + ", key=<hidden>]";
  }
}
