package io.otpflow.common;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.Set;

/**
 * The ITU country calling code of an E.164 number ("1", "44", "49", "353"), for metric tags and
 * prices. The code is the whole point of the tag: there are about 250 of them, so it stays
 * low-cardinality, and it is what SMS prices and SMS-pumping fraud are organised by.
 */
public final class CountryCode {
  /** Calling codes libphonenumber knows; E.164 codes are prefix-free, so the first match is the code. */
  private static final Set<Integer> KNOWN = PhoneNumberUtil.getInstance().getSupportedCallingCodes();

  private CountryCode() {}

  /** The calling code's digits, or {@link Metrics#UNKNOWN} for anything that is not "+" and a known code. */
  public static String of(String e164) {
    if (e164 == null || e164.length() < 2 || e164.charAt(0) != '+') {
      return Metrics.UNKNOWN;
    }
    int code = 0;
    for (int i = 1; i <= 3 && i < e164.length(); i++) {
      char c = e164.charAt(i);
      if (c < '0' || c > '9') {
        return Metrics.UNKNOWN;
      }
      code = code * 10 + (c - '0');
      if (code == 0) {
        return Metrics.UNKNOWN; // no calling code starts with 0
      }
      if (KNOWN.contains(code)) {
        return Integer.toString(code);
      }
    }
    return Metrics.UNKNOWN;
  }

  /** True for the digits of a calling code libphonenumber knows ("44"), as price tables name them. */
  public static boolean isKnown(String code) {
    return code != null && code.matches("[1-9][0-9]{0,2}") && KNOWN.contains(Integer.parseInt(code));
  }
}
