package io.otpflow.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeadLettersTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource(delimiter = '|', value = {
      "malformed: The record is not a valid DeliveryReport: missing required field state | malformed",
      "unprocessable: NullPointerException: boom                                       | unprocessable",
      "permanent: provider error 21610                                                 | permanent",
      "retries-exhausted: Twilio unreachable (timeout)                                  | retries_exhausted",
      "+14155552671 said no                                                             | other",
      "something new                                                                    | other",
  })
  void countsDeadLettersByTheClassOfTheirReasonNeverItsText(String reason, String expected) {
    assertThat(DeadLetters.reasonClass(reason.strip())).isEqualTo(expected);
  }
}
