package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CodeMacTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final String ID = "VE" + "0123456789abcdef0123456789abcdef";

  @Test
  void isDeterministicLowercaseHexSha256() {
    String one = new CodeMac(KEY).mac("acme", ID, "123456");
    String two = new CodeMac(KEY.clone()).mac("acme", ID, "123456");

    assertThat(one).isEqualTo(two).matches("[0-9a-f]{64}");
  }

  /** Gateway and issuer must compute the same bytes: HMAC-SHA256(key, tenant 0x00 id 0x00 code). */
  @Test
  void isHmacSha256OfTenantIdAndCodeSeparatedByZeroBytes() throws Exception {
    Mac reference = Mac.getInstance("HmacSHA256");
    reference.init(new SecretKeySpec(KEY, "HmacSHA256"));
    String expected =
        HexFormat.of().formatHex(reference.doFinal(("acme\0" + ID + "\0" + "123456").getBytes(StandardCharsets.UTF_8)));

    assertThat(new CodeMac(KEY).mac("acme", ID, "123456")).isEqualTo(expected);
  }

  @Test
  void isBoundToTenantVerificationAndCode() {
    CodeMac mac = new CodeMac(KEY);
    String base = mac.mac("acme", ID, "123456");

    assertThat(mac.mac("acme", "VE" + "f".repeat(32), "123456")).isNotEqualTo(base);
    assertThat(mac.mac("other", ID, "123456")).isNotEqualTo(base);
    assertThat(mac.mac("acme", ID, "123457")).isNotEqualTo(base);
    assertThat(new CodeMac("another key of thirty-two bytes!".getBytes(StandardCharsets.US_ASCII)).mac("acme", ID, "123456"))
        .isNotEqualTo(base);
  }

  @Test
  void theSeparatorKeepsFieldBoundaries() {
    CodeMac mac = new CodeMac(KEY);

    assertThat(mac.mac("ab", "c", "1234")).isNotEqualTo(mac.mac("a", "bc", "1234"));
    assertThat(mac.mac("a", "b1", "234")).isNotEqualTo(mac.mac("a", "b", "1234"));
  }

  @Test
  void isSafeToShareBetweenThreads() throws Exception {
    CodeMac mac = new CodeMac(KEY);
    String expected = mac.mac("acme", ID, "123456");
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var results = executor.invokeAll(Collections.nCopies(200, () -> mac.mac("acme", ID, "123456")));
      for (var r : results) {
        assertThat(r.get()).isEqualTo(expected);
      }
    }
  }

  @Test
  void keysShorterThan32BytesAreRejected() {
    assertThatThrownBy(() -> new CodeMac(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new CodeMac(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CodeMac(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new CodeMac(new byte[32]).mac("a", "b", "1234")).hasSize(64);
    assertThat(new CodeMac(new byte[64]).mac("a", "b", "1234")).hasSize(64);
  }

  @Test
  void theKeyIsCopiedNotReferenced() {
    byte[] key = KEY.clone();
    CodeMac mac = new CodeMac(key);
    String before = mac.mac("acme", ID, "123456");

    Arrays.fill(key, (byte) 0);

    assertThat(mac.mac("acme", ID, "123456")).isEqualTo(before);
  }

  @Test
  void sameComparesWholeValues() {
    CodeMac mac = new CodeMac(KEY);
    String a = mac.mac("acme", ID, "123456");
    String b = mac.mac("acme", ID, "654321");

    assertThat(CodeMac.same(a, new String(a.toCharArray()))).isTrue();
    assertThat(CodeMac.same(a, b)).isFalse();
    assertThat(CodeMac.same(a, a.substring(0, 63))).isFalse();
    assertThat(CodeMac.same(a, a + "0")).isFalse();
    assertThat(CodeMac.same(a, a.substring(0, 63) + (a.charAt(63) == '0' ? '1' : '0'))).isFalse();
    assertThat(CodeMac.same("00ab", "00AB")).as("hex is compared as text, case matters").isFalse();
    assertThat(CodeMac.same(a, "")).isFalse();
    assertThat(CodeMac.same("", "")).isTrue();
    assertThat(CodeMac.same(null, a)).isFalse();
    assertThat(CodeMac.same(a, null)).isFalse();
    assertThat(CodeMac.same(null, null)).isFalse();
  }
}
