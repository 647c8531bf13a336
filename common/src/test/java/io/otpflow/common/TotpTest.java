package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 4226 Appendix D and RFC 6238 Appendix B, every vector, and the rules around them. */
class TotpTest {
  private static final byte[] SEED20 = ascii("12345678901234567890");
  /** RFC 6238's reference code uses the 20-byte seed repeated to the hash length for SHA-256 and SHA-512. */
  private static final byte[] SEED32 = ascii("12345678901234567890123456789012");
  private static final byte[] SEED64 = ascii("1234567890123456789012345678901234567890123456789012345678901234");

  static Stream<Arguments> rfc4226() {
    String[] expected = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"};
    return Stream.iterate(0, i -> i + 1).limit(expected.length).map(i -> Arguments.of(i, expected[i]));
  }

  @ParameterizedTest(name = "HOTP count {0} = {1}")
  @MethodSource("rfc4226")
  void rfc4226AppendixD(long counter, String code) {
    assertThat(Totp.hotp(Totp.Algorithm.SHA1, SEED20, counter, 6)).isEqualTo(code);
  }

  static Stream<Arguments> rfc6238() {
    return Stream.of(
        Arguments.of(59L, "SHA1", "94287082"), Arguments.of(59L, "SHA256", "46119246"), Arguments.of(59L, "SHA512", "90693936"),
        Arguments.of(1111111109L, "SHA1", "07081804"), Arguments.of(1111111109L, "SHA256", "68084774"),
        Arguments.of(1111111109L, "SHA512", "25091201"),
        Arguments.of(1111111111L, "SHA1", "14050471"), Arguments.of(1111111111L, "SHA256", "67062674"),
        Arguments.of(1111111111L, "SHA512", "99943326"),
        Arguments.of(1234567890L, "SHA1", "89005924"), Arguments.of(1234567890L, "SHA256", "91819424"),
        Arguments.of(1234567890L, "SHA512", "93441116"),
        Arguments.of(2000000000L, "SHA1", "69279037"), Arguments.of(2000000000L, "SHA256", "90698825"),
        Arguments.of(2000000000L, "SHA512", "38618901"),
        Arguments.of(20000000000L, "SHA1", "65353130"), Arguments.of(20000000000L, "SHA256", "77737706"),
        Arguments.of(20000000000L, "SHA512", "47863826"));
  }

  @ParameterizedTest(name = "TOTP {1} at {0} s = {2}")
  @MethodSource("rfc6238")
  void rfc6238AppendixB(long seconds, String algorithm, String code) {
    Totp.Algorithm a = Totp.Algorithm.fromName(algorithm);
    byte[] seed = switch (a) {
      case SHA1 -> SEED20;
      case SHA256 -> SEED32;
      case SHA512 -> SEED64;
    };
    assertThat(seed).hasSize(a.secretBytes());
    assertThat(new Totp(a, 8, 30).codeAt(seed, Instant.ofEpochSecond(seconds))).isEqualTo(code);
  }

  @Test
  void stepsAreWholePeriodsSinceTheEpoch() {
    Totp totp = Totp.defaults();
    assertThat(totp.step(Instant.ofEpochSecond(59))).isEqualTo(1);
    assertThat(totp.step(Instant.ofEpochSecond(60))).isEqualTo(2);
    assertThat(totp.step(Instant.ofEpochSecond(1111111109))).isEqualTo(0x23523EC);
    assertThat(new Totp(Totp.Algorithm.SHA1, 6, 60).step(Instant.ofEpochSecond(119))).isEqualTo(1);
    // Six digits are the last six of the eight: RFC 4226's truncation keeps the low digits.
    assertThat(totp.codeAt(SEED20, Instant.ofEpochSecond(59))).isEqualTo("287082");
  }

  @Test
  void badSettingsFailInTheConstructor() {
    assertThatThrownBy(() -> new Totp(Totp.Algorithm.SHA1, 7, 30)).hasMessageContaining("6 or 8");
    assertThatThrownBy(() -> new Totp(Totp.Algorithm.SHA1, 6, 5)).hasMessageContaining("period");
    assertThatThrownBy(() -> new Totp(null, 6, 30)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Totp.Algorithm.fromName("MD5")).hasMessageContaining("SHA1");
    assertThatThrownBy(() -> Totp.defaults().code(new byte[0], 1)).hasMessageContaining("empty");
  }

  @Test
  void base32RoundTripsAndAcceptsWhatPeopleType() {
    assertThat(Base32.encode(SEED20)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assertThat(Base32.encode(ascii("foobar"))).isEqualTo("MZXW6YTBOI"); // RFC 4648 section 10, without padding
    assertThat(Base32.decode("mzxw 6ytb oi======")).isEqualTo(ascii("foobar"));
    assertThat(Base32.grouped("GEZDGNBVGY")).isEqualTo("GEZD GNBV GY");
    assertThatThrownBy(() -> Base32.decode("GEZ1")).hasMessageContaining("base32");
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
