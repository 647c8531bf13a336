package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodeGeneratorTest {
  /** Chi-square critical value for 9 degrees of freedom at p = 0.001. */
  private static final double CHI_SQUARE_9_DF_P001 = 27.877;

  @ParameterizedTest
  @ValueSource(ints = {4, 5, 6, 7, 8, 9, 10})
  void codesHaveExactlyTheAskedNumberOfDigits(int digits) {
    CodeGenerator generator = new CodeGenerator(new SplittableRandom(digits));

    for (int i = 0; i < 2_000; i++) {
      assertThat(generator.generate(digits)).hasSize(digits).matches("[0-9]+");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 5, 6, 7, 8, 9, 10})
  void drawsFromAllValuesOfTheLength(int digits) {
    FixedDraw draw = new FixedDraw(0);

    new CodeGenerator(draw).generate(digits);

    assertThat(draw.bounds).containsExactly((long) Math.pow(10, digits));
  }

  @Test
  void smallValuesAreZeroPadded() {
    assertThat(new CodeGenerator(new FixedDraw(0)).generate(4)).isEqualTo("0000");
    assertThat(new CodeGenerator(new FixedDraw(42)).generate(6)).isEqualTo("000042");
    assertThat(new CodeGenerator(new FixedDraw(7)).generate(10)).isEqualTo("0000000007");
    assertThat(new CodeGenerator(new FixedDraw(999_999)).generate(6)).isEqualTo("999999");
    assertThat(new CodeGenerator(new FixedDraw(9_999_999_999L)).generate(10)).isEqualTo("9999999999");
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 1, 3, 11, 19, Integer.MAX_VALUE})
  void outOfRangeLengthsAreRejected(int digits) {
    CodeGenerator generator = new CodeGenerator(new SplittableRandom(1));

    assertThatThrownBy(() -> generator.generate(digits))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Integer.toString(digits));
  }

  @Test
  void theDefaultGeneratorUsesSecureRandom() {
    assertThat(new CodeGenerator().generate(6)).matches("[0-9]{6}");
  }

  @Test
  void firstAndLastDigitsAreUniform() {
    CodeGenerator generator = new CodeGenerator(new SplittableRandom(20260301L));
    long[] first = new long[10];
    long[] last = new long[10];
    for (int i = 0; i < 100_000; i++) {
      String code = generator.generate(6);
      first[code.charAt(0) - '0']++;
      last[code.charAt(5) - '0']++;
    }

    assertThat(chiSquare(first)).isLessThan(CHI_SQUARE_9_DF_P001);
    assertThat(chiSquare(last)).isLessThan(CHI_SQUARE_9_DF_P001);
  }

  /** The uniformity check must be able to fail: a modulo-biased draw (as in value % 10^n) is caught. */
  @Test
  void theUniformityCheckCatchesModuloBias() {
    SplittableRandom seeded = new SplittableRandom(20260301L);
    RandomGenerator biased =
        new FixedDraw(0) {
          @Override
          public long nextLong(long bound) {
            return seeded.nextLong(bound + bound / 2) % bound; // values below bound/2 come twice as often
          }
        };
    CodeGenerator generator = new CodeGenerator(biased);
    long[] first = new long[10];
    for (int i = 0; i < 100_000; i++) {
      first[generator.generate(6).charAt(0) - '0']++;
    }

    assertThat(chiSquare(first)).isGreaterThan(CHI_SQUARE_9_DF_P001);
  }

  private static double chiSquare(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double expected = (double) total / counts.length;
    double sum = 0;
    for (long c : counts) {
      sum += (c - expected) * (c - expected) / expected;
    }
    return sum;
  }

  /** A RandomGenerator whose bounded draws return one value, recording the bounds asked for. */
  private static class FixedDraw implements RandomGenerator {
    final long value;
    final List<Long> bounds = new ArrayList<>();

    FixedDraw(long value) {
      this.value = value;
    }

    @Override
    public long nextLong() {
      return value;
    }

    @Override
    public long nextLong(long bound) {
      bounds.add(bound);
      return value;
    }
  }
}
