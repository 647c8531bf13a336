package io.otpflow.common;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/** Numeric one-time codes from SecureRandom, uniform over all values of the given length. */
public final class CodeGenerator {
  private static final long[] POWERS_OF_TEN = new long[11];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  private final RandomGenerator random;

  public CodeGenerator() {
    this(new SecureRandom());
  }

  public CodeGenerator(RandomGenerator random) {
    this.random = random;
  }

  public String generate(int digits) {
    if (digits < 4 || digits > 10) {
      throw new IllegalArgumentException("Codes have 4 to 10 digits, asked for " + digits + ".");
    }
    // nextLong(bound) rejects out-of-range draws instead of taking a modulo, so no value is favoured.
    long value = random.nextLong(POWERS_OF_TEN[digits]);
    String text = Long.toString(value);
    return "0".repeat(digits - text.length()) + text;
  }
}
