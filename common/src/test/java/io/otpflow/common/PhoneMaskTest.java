package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PhoneMaskTest {

  @ParameterizedTest
  @CsvSource({
    "+14155552671, +141******71",
    "+4915112345678, +491********78",
    "+447700900123, +447*******23",
    "+3312345678, +331*****78",
    "12345678, 12****78"
  })
  void keepsTheCountryPrefixAndTwoLastDigits(String phone, String masked) {
    assertThat(PhoneMask.mask(phone)).isEqualTo(masked);
  }

  @ParameterizedTest
  @ValueSource(strings = {"+14155552671", "+4915112345678", "+123456789012345", "12345678"})
  void keepsTheLengthAndHidesTheMiddle(String phone) {
    String masked = PhoneMask.mask(phone);

    assertThat(masked).hasSameSizeAs(phone);
    assertThat(masked.substring(4, masked.length() - 2)).matches("\\*+");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "+1", "+123456", "1234567"})
  void masksShortValuesCompletely(String phone) {
    assertThat(PhoneMask.mask(phone)).isEqualTo("*".repeat(phone.length()));
  }

  @Test
  void nullStaysNull() {
    assertThat(PhoneMask.mask(null)).isNull();
  }
}
