package io.otpflow.common;

/** Masks phone numbers for logs and API answers: enough to recognise, not enough to dial. */
public final class PhoneMask {
  private PhoneMask() {}

  /** "+14155552671" becomes "+141******71"; anything short is fully masked. */
  public static String mask(String phone) {
    if (phone == null) {
      return null;
    }
    if (phone.length() < 8) {
      return "*".repeat(phone.length());
    }
    // Short numbers show less, so that at least half of their digits stay hidden.
    int keepHead = phone.length() >= 11 ? 4 : 2;
    int keepTail = 2;
    return phone.substring(0, keepHead)
        + "*".repeat(phone.length() - keepHead - keepTail)
        + phone.substring(phone.length() - keepTail);
  }
}
