package io.otpflow.gateway.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersTest {

  @ParameterizedTest
  @CsvSource({
    "+14155552671, +14155552671",
    "+1 415 555 2671, +14155552671",
    "'  +14155552671  ', +14155552671",
    "+1 (415) 555-2671, +14155552671",
    "+4915112345678, +4915112345678",
    "+44 7911 123456, +447911123456",
    "+33 6 12 34 56 78, +33612345678"
  })
  void normalisesInternationalNumbersToE164(String raw, String e164) {
    assertThat(PhoneNumbers.toE164(raw, null)).contains(e164);
  }

  @Test
  void aRegionDoesNotChangeAnInternationalNumber() {
    assertThat(PhoneNumbers.toE164("+4915112345678", "US")).contains("+4915112345678");
    assertThat(PhoneNumbers.toE164("+14155552671", "de")).as("the region is ignored for + numbers").contains("+14155552671");
  }

  @ParameterizedTest
  @CsvSource({
    "(415) 555-2671, US, +14155552671",
    "415-555-2671, US, +14155552671",
    "4155552671, US, +14155552671",
    "1 415 555 2671, US, +14155552671",
    "015112345678, DE, +4915112345678",
    "07911 123456, GB, +447911123456",
    "06 12 34 56 78, FR, +33612345678"
  })
  void normalisesNationalNumbersWithTheirRegion(String raw, String region, String e164) {
    assertThat(PhoneNumbers.toE164(raw, region)).contains(e164);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "+1415555267", // one digit short
        "+141555526712", // one digit long
        "+10005552671", // no such area code
        "+999123456789", // no such country code
        "+1", "+", "", "   ", "hello", "+1-800-FLOWERS-NOW", "++14155552671"
      })
  void rejectsNumbersThatAreNotValid(String raw) {
    assertThat(PhoneNumbers.toE164(raw, "US")).isEmpty();
  }

  @Test
  void rejectsANationalNumberThatIsNotValidInItsRegion() {
    assertThat(PhoneNumbers.toE164("(415) 555-2671", "FR")).isEmpty();
    assertThat(PhoneNumbers.toE164("555-2671", "US")).as("no area code").isEmpty();
  }

  @Test
  void rejectsInputLongerThan32Characters() {
    String padded = "+1 415 555 2671" + " ".repeat(18); // 33 characters of a valid number

    assertThat(padded).hasSize(33);
    assertThat(PhoneNumbers.toE164(padded, null)).isEmpty();
    assertThat(PhoneNumbers.toE164("+1" + "4".repeat(200), null)).isEmpty();
    assertThat(PhoneNumbers.toE164(padded.substring(0, 32), null)).as("32 characters are fine").contains("+14155552671");
  }

  @Test
  void aNationalNumberWithoutARegionIsEmpty() {
    assertThat(PhoneNumbers.toE164("(415) 555-2671", null)).isEmpty();
    assertThat(PhoneNumbers.toE164("4155552671", "")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"us", "Us", "USA", "U", "1", "ZZZ"})
  void rejectsRegionsThatAreNotTwoUpperCaseLetters(String region) {
    assertThat(PhoneNumbers.toE164("(415) 555-2671", region)).isEmpty();
  }

  @Test
  void anUnknownTwoLetterRegionGivesEmptyNotAnError() {
    assertThat(PhoneNumbers.toE164("(415) 555-2671", "ZZ")).isEmpty();
    assertThat(PhoneNumbers.toE164("(415) 555-2671", "XX")).isEmpty();
  }

  @Test
  void nullIsEmpty() {
    assertThat(PhoneNumbers.toE164(null, "US")).isEmpty();
    assertThat(PhoneNumbers.toE164(null, null)).isEmpty();
  }
}
