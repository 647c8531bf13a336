package io.otpflow.sms;

import io.otpflow.common.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings for {@link TwilioSmsSender}. Validated on construction, so a misconfigured dispatcher
 * stops at start-up rather than on its first send.
 *
 * @param accountSid Twilio account SID ("AC…"); also the Basic-auth user
 * @param authToken the account's auth token; never printed by {@link #toString()}
 * @param from default sender number or alphanumeric id; null when {@code messagingServiceSid} is set
 * @param messagingServiceSid default messaging service ("MG…"); null when {@code from} is set
 * @param apiBaseUrl where the Messages API lives; null means Twilio itself ({@link
 *     #DEFAULT_API_BASE_URL}). Set for an egress proxy or a local fake. May carry a path prefix.
 * @param connectTimeout TCP (and pool lease) timeout; null means {@link #DEFAULT_CONNECT_TIMEOUT}
 * @param readTimeout longest silence while waiting for Twilio's answer; null means {@link
 *     #DEFAULT_READ_TIMEOUT}
 */
public record TwilioConfig(
    String accountSid,
    String authToken,
    String from,
    String messagingServiceSid,
    URI apiBaseUrl,
    Duration connectTimeout,
    Duration readTimeout) {

  public static final String ENV_ACCOUNT_SID = "TWILIO_ACCOUNT_SID";
  public static final String ENV_AUTH_TOKEN = "TWILIO_AUTH_TOKEN";
  public static final String ENV_FROM_NUMBER = "TWILIO_FROM_NUMBER";
  public static final String ENV_MESSAGING_SERVICE_SID = "TWILIO_MESSAGING_SERVICE_SID";
  public static final String ENV_API_BASE_URL = "TWILIO_API_BASE_URL";
  /** Optional, a duration such as "3s" or "PT3S". */
  public static final String ENV_CONNECT_TIMEOUT = "TWILIO_CONNECT_TIMEOUT";
  /** Optional, a duration such as "8s" or "PT8S". */
  public static final String ENV_READ_TIMEOUT = "TWILIO_READ_TIMEOUT";

  public static final URI DEFAULT_API_BASE_URL = URI.create("https://api.twilio.com");
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Upper bound for either timeout: a send blocks a dispatcher worker, and a provider that has not
   * answered in a minute is better treated as down (the send is retried later) than waited for.
   */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

  public TwilioConfig {
    accountSid = trimToNull(accountSid);
    authToken = trimToNull(authToken);
    from = trimToNull(from);
    messagingServiceSid = trimToNull(messagingServiceSid);
    if (accountSid == null || !accountSid.startsWith("AC") || accountSid.length() < 3) {
      throw new IllegalArgumentException(
          "Twilio account SID (" + ENV_ACCOUNT_SID + ") must start with \"AC\", got "
              + (accountSid == null ? "nothing" : "'" + accountSid + "'") + ".");
    }
    if (authToken == null) {
      throw new IllegalArgumentException(
          "Twilio auth token (" + ENV_AUTH_TOKEN + ") is required and must not be blank.");
    }
    if ((from == null) == (messagingServiceSid == null)) {
      throw new IllegalArgumentException(
          "Exactly one of the Twilio sender number (" + ENV_FROM_NUMBER + ") and the messaging"
              + " service SID (" + ENV_MESSAGING_SERVICE_SID + ") must be set, "
              + (from == null ? "neither is." : "both are."));
    }
    if (messagingServiceSid != null && !messagingServiceSid.startsWith("MG")) {
      throw new IllegalArgumentException(
          "Twilio messaging service SID (" + ENV_MESSAGING_SERVICE_SID
              + ") must start with \"MG\", got '" + messagingServiceSid + "'.");
    }
    apiBaseUrl = apiBaseUrl == null ? DEFAULT_API_BASE_URL : checkBaseUrl(apiBaseUrl);
    connectTimeout = checkTimeout("connect timeout", connectTimeout, DEFAULT_CONNECT_TIMEOUT);
    readTimeout = checkTimeout("read timeout", readTimeout, DEFAULT_READ_TIMEOUT);
  }

  /** A configuration with a sender number, Twilio's real API and the default timeouts. */
  public static TwilioConfig withFrom(String accountSid, String authToken, String from) {
    return new TwilioConfig(accountSid, authToken, from, null, null, null, null);
  }

  /** True when the environment names a Twilio account, i.e. Twilio is meant to be used. */
  public static boolean isConfigured(Map<String, String> env) {
    return new Env(env).string(ENV_ACCOUNT_SID, null) != null;
  }

  /**
   * Reads {@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_FROM_NUMBER}, {@code
   * TWILIO_MESSAGING_SERVICE_SID}, {@code TWILIO_API_BASE_URL} and the optional {@code
   * TWILIO_CONNECT_TIMEOUT} / {@code TWILIO_READ_TIMEOUT}.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static TwilioConfig fromEnv(Map<String, String> env) {
    return fromEnv(new Env(Objects.requireNonNull(env, "env")));
  }

  /** As {@link #fromEnv(Map)}, reading through the service's own {@link Env}. */
  public static TwilioConfig fromEnv(Env e) {
    String base = e.string(ENV_API_BASE_URL, null);
    URI baseUrl;
    try {
      baseUrl = base == null ? null : new URI(base);
    } catch (java.net.URISyntaxException ex) {
      throw new IllegalArgumentException(
          ENV_API_BASE_URL + " must be a URL like https://api.twilio.com, got '" + base + "'.");
    }
    return new TwilioConfig(
        e.string(ENV_ACCOUNT_SID, null),
        e.string(ENV_AUTH_TOKEN, null),
        e.string(ENV_FROM_NUMBER, null),
        e.string(ENV_MESSAGING_SERVICE_SID, null),
        baseUrl,
        e.duration(ENV_CONNECT_TIMEOUT, null),
        e.duration(ENV_READ_TIMEOUT, null));
  }

  /** The same settings aimed at another API base URL (a proxy, or a fake in tests). */
  public TwilioConfig withApiBaseUrl(URI baseUrl) {
    return new TwilioConfig(
        accountSid, authToken, from, messagingServiceSid, baseUrl, connectTimeout, readTimeout);
  }

  /** The same settings with other timeouts. */
  public TwilioConfig withTimeouts(Duration connect, Duration read) {
    return new TwilioConfig(
        accountSid, authToken, from, messagingServiceSid, apiBaseUrl, connect, read);
  }

  @Override
  public String toString() {
    return "TwilioConfig[accountSid=" + accountSid
        + ", authToken=<hidden>"
        + ", from=" + from
        + ", messagingServiceSid=" + messagingServiceSid
        + ", apiBaseUrl=" + apiBaseUrl
        + ", connectTimeout=" + connectTimeout
        + ", readTimeout=" + readTimeout + "]";
  }

  private static String trimToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static URI checkBaseUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || url.getHost() == null
        || url.getRawQuery() != null
        || url.getRawFragment() != null
        || url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "Twilio API base URL (" + ENV_API_BASE_URL + ") must be an http(s) URL with a host and"
              + " no user info, query or fragment, e.g. https://api.twilio.com, got '" + url + "'.");
    }
    return url;
  }

  private static Duration checkTimeout(String what, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero() || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "Twilio " + what + " must be more than 0 and at most " + MAX_TIMEOUT.toSeconds()
              + "s, got " + value + ".");
    }
    return value;
  }
}
