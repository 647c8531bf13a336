package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvTest {

  @ParameterizedTest
  @CsvSource({
    "250ms, PT0.25S",
    "0ms, PT0S",
    "30s, PT30S",
    "10m, PT10M",
    "2h, PT2H",
    "1d, PT24H",
    "PT5M, PT5M",
    "pt5m, PT5M",
    "PT1H30M, PT1H30M",
    "'  30s  ', PT30S",
    "90S, PT1M30S"
  })
  void parsesDurations(String text, String iso) {
    assertThat(Env.parseDuration("SOME_TIMEOUT", text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10", "abc", "5x", "ms", "s", "m", "1.5s", "30 s", "P", "PT", "PTxM", "ten minutes", "10mm"})
  void badDurationsNameTheVariableAndTheValue(String text) {
    assertThatThrownBy(() -> Env.parseDuration("CODE_TTL", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CODE_TTL")
        .hasMessageContaining("'" + text + "'");
  }

  @Test
  void anEmptyDurationIsRejectedWithTheVariableName() {
    assertThatThrownBy(() -> Env.parseDuration("CODE_TTL", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CODE_TTL");
  }

  @Test
  void durationsFromTheEnvironmentFallBackWhenUnsetOrBlank() {
    Env env = new Env(Map.of("A", "45s", "B", "   "));

    assertThat(env.duration("A", Duration.ZERO)).isEqualTo(Duration.ofSeconds(45));
    assertThat(env.duration("B", Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(env.duration("C", Duration.ofHours(3))).isEqualTo(Duration.ofHours(3));
    assertThatThrownBy(() -> new Env(Map.of("KAFKA_TIMEOUT", "soon")).duration("KAFKA_TIMEOUT", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KAFKA_TIMEOUT");
  }

  @Test
  void stringsAreTrimmedAndBlankMeansUnset() {
    Env env = new Env(Map.of("NAME", "  otp  ", "EMPTY", "", "BLANK", " \t"));

    assertThat(env.string("NAME", "x")).isEqualTo("otp");
    assertThat(env.string("EMPTY", "fallback")).isEqualTo("fallback");
    assertThat(env.string("BLANK", "fallback")).isEqualTo("fallback");
    assertThat(env.string("MISSING", null)).isNull();
  }

  @Test
  void requiredVariablesNameWhatIsMissing() {
    Env env = new Env(Map.of("REDIS_URL", "redis://h:1", "BLANK", " "));

    assertThat(env.required("REDIS_URL")).isEqualTo("redis://h:1");
    assertThatThrownBy(() -> env.required("CODE_MAC_KEY"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CODE_MAC_KEY");
    assertThatThrownBy(() -> env.required("BLANK"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BLANK");
  }

  @Test
  void integersAreParsedAndBadOnesNameTheVariable() {
    Env env = new Env(Map.of("POOL", " 64 ", "BAD", "sixty-four", "BIG", "99999999999"));

    assertThat(env.integer("POOL", 1)).isEqualTo(64);
    assertThat(env.integer("UNSET", 8)).isEqualTo(8);
    assertThatThrownBy(() -> env.integer("BAD", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BAD")
        .hasMessageContaining("sixty-four");
    assertThatThrownBy(() -> env.integer("BIG", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BIG");
  }

  @Test
  void flagsAreTrueOrFalseAndAnythingElseNamesTheVariable() {
    Env env = new Env(Map.of("ON", "TRUE", "OFF", "false", "ODD", "yes"));

    assertThat(env.flag("ON", false)).isTrue();
    assertThat(env.flag("OFF", true)).isFalse();
    assertThat(env.flag("UNSET", true)).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> env.flag("ODD", true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ODD");
  }

  @Test
  void askedRecordsEveryNameAskedForSetOrNot() {
    Env env = new Env(Map.of("SET", "1", "NEVER_ASKED", "x"));

    env.string("SET", null);
    env.integer("UNSET_INT", 3);
    env.duration("UNSET_DURATION", Duration.ZERO);
    env.flag("UNSET_FLAG", false);
    try {
      env.required("MISSING");
    } catch (IllegalArgumentException expected) {
      // asked even though it failed
    }

    assertThat(env.asked())
        .containsExactlyInAnyOrder("SET", "UNSET_INT", "UNSET_DURATION", "UNSET_FLAG", "MISSING");
  }

  @Test
  void askedIsASnapshot() {
    Env env = new Env(Map.of());
    env.string("A", null);
    var snapshot = env.asked();

    env.string("B", null);

    assertThat(snapshot).containsExactly("A");
    assertThatThrownBy(() -> snapshot.add("C")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theVariablesAreCopied() {
    Map<String, String> vars = new HashMap<>(Map.of("A", "1"));
    Env env = new Env(vars);

    vars.put("A", "2");

    assertThat(env.string("A", null)).isEqualTo("1");
  }
}
