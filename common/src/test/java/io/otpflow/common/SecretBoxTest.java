package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static final String ID = "VE" + "0123456789abcdef0123456789abcdef";
  private static final String OTHER_ID = "VE" + "fedcba9876543210fedcba9876543210";

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (fill + i);
    }
    return key;
  }

  private static SecretBox box(Object... idsAndFills) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (int i = 0; i < idsAndFills.length; i += 2) {
      keys.put((String) idsAndFills[i], key((Integer) idsAndFills[i + 1]));
    }
    return new SecretBox(keys);
  }

  @Test
  void roundTrips() {
    SecretBox box = box("k1", 1);

    SealedValue sealed = box.seal("042917", ID);

    assertThat(box.open(sealed, ID)).isEqualTo("042917");
    assertThat(sealed.keyId()).isEqualTo("k1");
    assertThat(Base64.getDecoder().decode(sealed.nonce())).hasSize(12);
    // 6 bytes of code + a 16-byte GCM tag
    assertThat(Base64.getDecoder().decode(sealed.ciphertext())).hasSize(6 + 16);
    assertThat(sealed.ciphertext()).doesNotContain("042917");
  }

  @Test
  void roundTripsUnicodeAndEmptyText() {
    SecretBox box = box("k1", 1);

    assertThat(box.open(box.seal("Grüße 🔐", ID), ID)).isEqualTo("Grüße 🔐");
    assertThat(box.open(box.seal("", ID), ID)).isEmpty();
  }

  @Test
  void everySealUsesAFreshNonce() {
    SecretBox box = box("k1", 1);

    SealedValue a = box.seal("042917", ID);
    SealedValue b = box.seal("042917", ID);

    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.ciphertext()).isNotEqualTo(b.ciphertext());
  }

  @Test
  void otherAssociatedDataDoesNotOpen() {
    SecretBox box = box("k1", 1);
    SealedValue sealed = box.seal("042917", ID);

    assertThatThrownBy(() -> box.open(sealed, OTHER_ID)).isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(() -> box.open(sealed, "")).isInstanceOf(MalformedEventException.class);
  }

  @Test
  void tamperedCiphertextDoesNotOpen() {
    SecretBox box = box("k1", 1);
    SealedValue sealed = box.seal("042917", ID);
    byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
    bytes[0] ^= 0x01;
    SealedValue tampered = new SealedValue(sealed.keyId(), sealed.nonce(), Base64.getEncoder().encodeToString(bytes));

    assertThatThrownBy(() -> box.open(tampered, ID)).isInstanceOf(MalformedEventException.class);
  }

  @Test
  void tamperedTagOrNonceDoesNotOpen() {
    SecretBox box = box("k1", 1);
    SealedValue sealed = box.seal("042917", ID);
    byte[] bytes = Base64.getDecoder().decode(sealed.ciphertext());
    bytes[bytes.length - 1] ^= (byte) 0x80;
    byte[] nonce = Base64.getDecoder().decode(sealed.nonce());
    nonce[11] ^= 0x01;

    assertThatThrownBy(
            () -> box.open(new SealedValue("k1", sealed.nonce(), Base64.getEncoder().encodeToString(bytes)), ID))
        .isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(
            () -> box.open(new SealedValue("k1", Base64.getEncoder().encodeToString(nonce), sealed.ciphertext()), ID))
        .isInstanceOf(MalformedEventException.class);
  }

  @Test
  void malformedBase64DoesNotOpen() {
    SecretBox box = box("k1", 1);
    SealedValue sealed = box.seal("042917", ID);

    assertThatThrownBy(() -> box.open(new SealedValue("k1", sealed.nonce(), "not base64!"), ID))
        .isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(() -> box.open(new SealedValue("k1", "@@@", sealed.ciphertext()), ID))
        .isInstanceOf(MalformedEventException.class);
  }

  @Test
  void aRotationKeepsOldValuesReadable() {
    SecretBox before = box("k2025", 1);
    SealedValue old = before.seal("042917", ID);

    SecretBox after = box("k2026", 2, "k2025", 1);
    SealedValue fresh = after.seal("123456", ID);

    assertThat(after.open(old, ID)).isEqualTo("042917");
    assertThat(fresh.keyId()).isEqualTo("k2026");
    assertThat(after.open(fresh, ID)).isEqualTo("123456");
    // A service not yet rotated cannot read values sealed with the new key: it does not know the id.
    assertThatThrownBy(() -> before.open(fresh, ID))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("unknown key id");
  }

  @Test
  void theSameKeyIdWithOtherKeyBytesDoesNotOpen() {
    SealedValue sealed = box("k1", 1).seal("042917", ID);

    assertThatThrownBy(() -> box("k1", 9).open(sealed, ID)).isInstanceOf(MalformedEventException.class);
  }

  @Test
  void unknownKeyIdOrNoValueFails() {
    SecretBox box = box("k1", 1);
    SealedValue sealed = box.seal("042917", ID);

    assertThatThrownBy(() -> box.open(new SealedValue("k0", sealed.nonce(), sealed.ciphertext()), ID))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("unknown key id");
    // A sealed value without a key id cannot even be built (nor read from an event).
    assertThatThrownBy(() -> new SealedValue(null, sealed.nonce(), sealed.ciphertext()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key_id");
    assertThatThrownBy(() -> box.open(null, ID)).isInstanceOf(MalformedEventException.class);
  }

  @Test
  void needsAtLeastOneKeyOf32Bytes() {
    assertThatThrownBy(() -> new SecretBox(Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SecretBox(Map.of("short", new byte[16])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("short")
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new SecretBox(Map.of("long", new byte[33]))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesKeysInOrderFirstOneSeals() {
    String k2 = Base64.getEncoder().encodeToString(key(2));
    String k1 = Base64.getEncoder().encodeToString(key(1));

    Map<String, byte[]> keys = SecretBox.parseKeys("DISPATCH_KEYS", " k2 : " + k2 + " ," + "k1:" + k1);

    assertThat(keys.keySet()).containsExactly("k2", "k1");
    assertThat(keys.get("k2")).isEqualTo(key(2));
    assertThat(keys.get("k1")).isEqualTo(key(1));
    assertThat(new SecretBox(keys).seal("1234", ID).keyId()).isEqualTo("k2");
  }

  @Test
  void parseErrorsNameTheVariable() {
    String good = Base64.getEncoder().encodeToString(key(1));

    assertThatThrownBy(() -> SecretBox.parseKeys("DISPATCH_KEYS", good))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DISPATCH_KEYS")
        .hasMessageContaining("keyid:base64key");
    assertThatThrownBy(() -> SecretBox.parseKeys("DISPATCH_KEYS", ":" + good))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DISPATCH_KEYS");
    assertThatThrownBy(() -> SecretBox.parseKeys("DISPATCH_KEYS", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DISPATCH_KEYS");
    assertThatThrownBy(() -> SecretBox.parseKeys("DISPATCH_KEYS", "k1:" + good + ",k0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DISPATCH_KEYS");
    assertThatThrownBy(() -> SecretBox.parseKeys("DISPATCH_KEYS", "k1:not*base64"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DISPATCH_KEYS")
        .hasMessageContaining("base64")
        .hasMessageNotContaining("not*base64");
  }

  @Test
  void aParsedKeyOfTheWrongLengthIsRejectedByTheBox() {
    Map<String, byte[]> keys =
        SecretBox.parseKeys("DISPATCH_KEYS", "k1:" + Base64.getEncoder().encodeToString(new byte[16]));

    assertThatThrownBy(() -> new SecretBox(keys))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k1");
  }
}
