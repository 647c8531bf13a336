package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmsPricesTest {
  private static final String TABLE = """
      {"currency": "EUR", "default": 0.09, "calling_codes": {"1": 0.0079, "44": 0.04, "353": 0.075}}""";

  @Test
  void pricesByCallingCodeWithADefaultInMicroUnits() {
    SmsPrices prices = SmsPrices.parse(TABLE, "test");
    assertThat(prices.configured()).isTrue();
    assertThat(prices.currency()).isEqualTo("EUR");
    assertThat(prices.micros("1")).isEqualTo(7_900);
    assertThat(prices.micros("44")).isEqualTo(40_000);
    assertThat(prices.micros("353")).isEqualTo(75_000);
    assertThat(prices.micros("49")).as("not listed: the default").isEqualTo(90_000);
    assertThat(prices.micros("unknown")).isEqualTo(90_000);
    assertThat(SmsPrices.units(7_900)).isEqualTo(0.0079);
  }

  @Test
  void noTableMeansNothingIsEstimated() {
    assertThat(SmsPrices.fromEnv(new Env(Map.of()))).isEqualTo(SmsPrices.NONE);
    assertThat(SmsPrices.NONE.configured()).isFalse();
  }

  @Test
  void readsInlineJsonOrAFileInlineWinning(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("prices.json");
    Files.writeString(file, TABLE);
    assertThat(SmsPrices.fromEnv(new Env(Map.of("OTPFLOW_SMS_PRICES_FILE", file.toString()))).currency()).isEqualTo("EUR");
    assertThat(SmsPrices.fromEnv(new Env(Map.of("OTPFLOW_SMS_PRICES_FILE", file.toString(),
        "OTPFLOW_SMS_PRICES", "{\"currency\": \"USD\", \"default\": 0.05}"))).currency()).isEqualTo("USD");
    assertThatThrownBy(() -> SmsPrices.fromEnv(new Env(Map.of("OTPFLOW_SMS_PRICES_FILE", dir.resolve("none").toString()))))
        .hasMessageContaining("Cannot read OTPFLOW_SMS_PRICES_FILE");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not JSON                 | {"currency":                                                    | not valid JSON
      an array                 | [0.05]                                                          | JSON object
      unknown field            | {"currency": "USD", "default": 0.05, "prices": {}}              | unknown field 'prices'
      lower-case currency      | {"currency": "usd", "default": 0.05}                            | ISO 4217
      no default               | {"currency": "USD"}                                             | default
      default as a string      | {"currency": "USD", "default": "0.05"}                          | must be a number
      negative price           | {"currency": "USD", "default": -0.01}                           | from 0 to 100
      a hundred and one        | {"currency": "USD", "default": 101}                             | from 0 to 100
      below a micro-unit       | {"currency": "USD", "default": 0.0000001}                       | 6 decimals
      not a calling code       | {"currency": "USD", "default": 0.05, "calling_codes": {"35": 1}} | not a country calling code
      a region, not a code     | {"currency": "USD", "default": 0.05, "calling_codes": {"GB": 1}} | not a country calling code
      codes as a list          | {"currency": "USD", "default": 0.05, "calling_codes": [1]}      | calling_codes
      """)
  void refusesTablesThatWouldMisprice(String what, String json, String message) {
    assertThatThrownBy(() -> SmsPrices.parse(json, "OTPFLOW_SMS_PRICES")).as(what)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
