package io.otpflow.gateway.platform;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validates phone numbers with libphonenumber and normalises them to E.164. */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final Pattern REGION = Pattern.compile("[A-Z]{2}");
  /** Digits and the usual separators only: libphonenumber would turn letters (vanity numbers) into digits. */
  private static final Pattern DIALABLE = Pattern.compile("\\+?[0-9 ()./-]{4,31}");

  private PhoneNumbers() {}

  /**
   * @param raw "+14155552671", or a national number such as "(415) 555-2671" with {@code region}
   * @param region ISO 3166 region for national numbers ("US"); ignored for numbers starting with +
   * @return the E.164 form, or empty when the number is not a valid, dialable number
   */
  public static Optional<String> toE164(String raw, String region) {
    if (raw == null || raw.length() > 32) {
      return Optional.empty();
    }
    String trimmed = raw.trim();
    if (!DIALABLE.matcher(trimmed).matches()) {
      return Optional.empty();
    }
    if (!trimmed.startsWith("+") && (region == null || !REGION.matcher(region).matches())) {
      return Optional.empty();
    }
    try {
      Phonenumber.PhoneNumber number = UTIL.parse(trimmed, trimmed.startsWith("+") ? null : region);
      if (!UTIL.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }
}
