package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderErrorClassTest {

  @ParameterizedTest(name = "code {0}, reason {1} → {2}")
  @CsvSource(nullValues = "NULL", value = {
      "30003, NULL, unreachable",               // handset unreachable (undelivered receipt)
      "30006, NULL, unreachable",               // landline or unreachable carrier
      "21610, permanent, blocked",              // the recipient replied STOP
      "30007, NULL, blocked",                   // carrier filtering
      "21211, permanent, invalid_number",
      "21608, permanent, account",              // trial account, unverified number
      "HTTP_401, permanent, account",
      "20429, NULL, throttled",
      "NULL, retries-exhausted, retries_exhausted",
      "NULL, expired-before-send, expired_before_send",
      "Unregistered, device-unregistered, unreachable",  // APNs 410: the app is gone from the device
      "UNREGISTERED, device-unregistered, unreachable",  // FCM
      "99999, permanent, other",                // a code nobody mapped yet still has a class
      "NULL, permanent, other",
      "NULL, NULL, none",                       // an undelivered receipt without a code
  })
  void sortsProviderErrorsIntoAFewClasses(String code, String reason, String expected) {
    assertThat(ProviderErrorClass.of(code, reason)).isEqualTo(expected);
  }
}
