package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CountryCodeTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({
      "+14155552671, 1",      // US: one digit
      "+18095550100, 1",      // Dominican Republic shares +1 (NANP): the calling code, not the country
      "+447400123456, 44",
      "+4915123456789, 49",
      "+353851234567, 353",   // three digits, and 35 is no code of its own
      "+5511912345678, 55",
      "+88216123456, 882",    // international networks (non-geographic)
      "+9715012345678, 971",
  })
  void takesTheCallingCodeFromAnE164Number(String e164, String code) {
    assertThat(CountryCode.of(e164)).isEqualTo(code);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(value = {"''", "+", "14155552671", "+0123456", "+28012345", "+ab1234", "NULL"}, nullValues = "NULL")
  void anythingElseIsUnknown(String input) {
    assertThat(CountryCode.of(input)).isEqualTo(Metrics.UNKNOWN);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({"1, true", "44, true", "353, true", "0, false", "35, false", "01, false", "4444, false", "x, false"})
  void knowsWhichDigitsAreACallingCode(String digits, boolean known) {
    assertThat(CountryCode.isKnown(digits)).isEqualTo(known);
  }
}
