package io.otpflow.common;

import java.util.Map;

/**
 * Sorts a provider's error code (or a dispatcher's reason) into a handful of classes for the
 * {@code error_class} metric tag: the raw codes run into the thousands, the classes say what an
 * operator does next (fix the account, stop sending to a number, wait, call the carrier).
 *
 * <p>The codes are Twilio's (the only SMS provider so far; see Twilio's error dictionary). For push,
 * the dispatcher's reason {@code device-unregistered} (APNs Unregistered / BadDeviceToken, FCM
 * UNREGISTERED: the app is gone from the device) is {@code unreachable}.
 */
public final class ProviderErrorClass {
  public static final String NONE = "none";
  public static final String UNREACHABLE = "unreachable";
  public static final String BLOCKED = "blocked";
  public static final String INVALID_NUMBER = "invalid_number";
  public static final String ACCOUNT = "account";
  public static final String THROTTLED = "throttled";
  public static final String EXPIRED_BEFORE_SEND = "expired_before_send";
  public static final String RETRIES_EXHAUSTED = "retries_exhausted";
  public static final String OTHER = "other";

  private static final Map<String, String> TWILIO = Map.ofEntries(
      // The handset or its carrier cannot be reached.
      Map.entry("30003", UNREACHABLE), Map.entry("30005", UNREACHABLE), Map.entry("30006", UNREACHABLE),
      // The carrier, a filter or the recipient (STOP) refuses our messages.
      Map.entry("30004", BLOCKED), Map.entry("30007", BLOCKED), Map.entry("21610", BLOCKED),
      Map.entry("30032", BLOCKED), Map.entry("30034", BLOCKED),
      // The number itself is wrong or cannot take SMS.
      Map.entry("21211", INVALID_NUMBER), Map.entry("21614", INVALID_NUMBER), Map.entry("21612", INVALID_NUMBER),
      Map.entry("21217", INVALID_NUMBER),
      // Our side: credentials, sender, trial limits, regions not enabled, a suspended account.
      Map.entry("20003", ACCOUNT), Map.entry("21606", ACCOUNT), Map.entry("21608", ACCOUNT),
      Map.entry("21408", ACCOUNT), Map.entry("21212", ACCOUNT), Map.entry("30002", ACCOUNT),
      Map.entry("HTTP_401", ACCOUNT), Map.entry("HTTP_403", ACCOUNT),
      // Too much, too fast.
      Map.entry("20429", THROTTLED), Map.entry("30001", THROTTLED), Map.entry("14107", THROTTLED));

  private ProviderErrorClass() {}

  /**
   * @param errorCode the provider's code (Twilio's "30003"), or null
   * @param reason the dispatcher's reason ("permanent", "retries-exhausted", "expired-before-send"), or null
   */
  public static String of(String errorCode, String reason) {
    if ("expired-before-send".equals(reason)) {
      return EXPIRED_BEFORE_SEND;
    }
    if ("retries-exhausted".equals(reason)) {
      return RETRIES_EXHAUSTED;
    }
    if ("device-unregistered".equals(reason)) {
      return UNREACHABLE;
    }
    if (errorCode == null || errorCode.isEmpty()) {
      return reason == null ? NONE : OTHER;
    }
    return TWILIO.getOrDefault(errorCode, OTHER);
  }
}
