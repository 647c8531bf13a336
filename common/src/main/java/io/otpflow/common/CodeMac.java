package io.otpflow.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hash under which a code is stored and compared: HMAC-SHA256(server key, tenant ‖ id ‖ code).
 * A plain hash of a 6-digit code reverses instantly; without the server key this one does not.
 * Binding tenant and verification id means a stored value is useless for any other verification.
 */
public final class CodeMac {
  private static final int MIN_KEY_BYTES = 32;
  private final Mac prototype;

  public CodeMac(byte[] key) {
    if (key == null || key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("The code MAC key must have at least 32 bytes.");
    }
    try {
      prototype = Mac.getInstance("HmacSHA256");
      prototype.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM.", e);
    }
  }

  /** Hex MAC of one candidate code for one verification. */
  public String mac(String tenant, String verificationId, String code) {
    Mac mac = copy();
    mac.update(tenant.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    mac.update(verificationId.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) 0);
    return HexFormat.of().formatHex(mac.doFinal(code.getBytes(StandardCharsets.UTF_8)));
  }

  /** Constant-time comparison: MessageDigest.isEqual does not stop at the first differing byte. */
  public static boolean same(String expectedHex, String actualHex) {
    if (expectedHex == null || actualHex == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expectedHex.getBytes(StandardCharsets.US_ASCII), actualHex.getBytes(StandardCharsets.US_ASCII));
  }

  private Mac copy() {
    try {
      // Cloning an initialised Mac skips the provider lookup and key schedule on every call.
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("This JVM's HmacSHA256 cannot be cloned.", e);
    }
  }
}
