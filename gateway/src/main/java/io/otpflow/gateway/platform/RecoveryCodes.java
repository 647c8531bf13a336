package io.otpflow.gateway.platform;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recovery codes as people read and type them: ten characters from an alphabet without look-alikes
 * (no 0/o, 1/l/i), shown as two groups of five ("k7m2p-9xqtd"), about 49.5 bits each. Always with at
 * least one letter, so a recovery code is never mistaken for a numeric one-time code.
 */
public final class RecoveryCodes {
  static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
  static final int LENGTH = 10;
  public static final int PER_SET = 10;
  private static final Pattern SHAPE = Pattern.compile("[" + ALPHABET + "]{" + LENGTH + "}");
  private static final Pattern TYPED = Pattern.compile("[A-Za-z0-9 -]{" + LENGTH + ",20}");
  private final SecureRandom random = new SecureRandom();

  String generate() {
    while (true) {
      StringBuilder code = new StringBuilder(LENGTH + 1);
      boolean letter = false;
      for (int i = 0; i < LENGTH; i++) {
        // nextInt(bound) rejects out-of-range draws: every character is equally likely.
        char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        letter |= Character.isLetter(c);
        code.append(c);
      }
      if (letter) {
        return code.insert(LENGTH / 2, '-').toString();
      }
    }
  }

  /** The code as it is hashed (lower case, without spaces and hyphens), or null when it is not shaped like a recovery code. */
  public static String normalise(String typed) {
    if (typed == null || !TYPED.matcher(typed).matches()) {
      return null;
    }
    String code = typed.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
    return SHAPE.matcher(code).matches() && code.chars().anyMatch(Character::isLetter) ? code : null;
  }
}
