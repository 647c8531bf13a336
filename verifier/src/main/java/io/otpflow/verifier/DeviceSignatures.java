package io.otpflow.verifier;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Checks a push device's answer signature: ECDSA with SHA-256 on P-256, under the public key the
 * device registered (base64 SubjectPublicKeyInfo). Two encodings are accepted: DER (what Java's
 * {@code SHA256withECDSA}, Android's Keystore and {@code openssl dgst -sha256 -sign} produce) and the
 * raw 64 bytes r||s (what iOS CryptoKit's {@code rawRepresentation} and WebCrypto produce).
 */
final class DeviceSignatures {
  /** A DER signature of P-256 is at most 72 bytes; anything much longer is not one. */
  static final int MAX_SIGNATURE_BYTES = 80;
  private static final int RAW_BYTES = 64;

  private DeviceSignatures() {}

  /** True when {@code signature} is a valid signature of {@code text}'s UTF-8 bytes by {@code publicKey}. */
  static boolean verify(String publicKey, String text, byte[] signature) {
    if (publicKey == null || signature == null || signature.length < 8 || signature.length > MAX_SIGNATURE_BYTES) {
      return false;
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
    if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
      return false;
    }
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    // A raw r||s of 64 bytes can happen to start like a DER sequence, so each plausible form is tried.
    return (signature[0] == 0x30 && verify("SHA256withECDSA", key, message, signature))
        || (signature.length == RAW_BYTES && verify("SHA256withECDSAinP1363Format", key, message, signature));
  }

  private static boolean verify(String algorithm, PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // a malformed encoding is a signature that does not verify
    }
  }
}
