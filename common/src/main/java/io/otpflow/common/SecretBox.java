package io.otpflow.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with named keys. The first key seals; every key opens, so a rotation adds a new
 * first key and keeps the old one until values sealed with it have expired. The associated data
 * (the verification id) binds a sealed code to its verification: moved to another event, it fails to open.
 */
public final class SecretBox {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final String currentKeyId;
  private final Map<String, SecretKeySpec> keys;
  private final SecureRandom random = new SecureRandom();

  /** @param keys key id → 32-byte key, in order; the first one seals */
  public SecretBox(Map<String, byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("At least one encryption key is needed.");
    }
    this.keys = new LinkedHashMap<>();
    keys.forEach(
        (id, key) -> {
          if (key.length != 32) {
            throw new IllegalArgumentException("Encryption key '" + id + "' must be 32 bytes (AES-256).");
          }
          this.keys.put(id, new SecretKeySpec(key, "AES"));
        });
    this.currentKeyId = keys.keySet().iterator().next();
  }

  /** Parses "id1:base64key,id0:base64key" (first one seals), the form used in the environment. */
  public static Map<String, byte[]> parseKeys(String name, String spec) {
    Map<String, byte[]> parsed = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int colon = part.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(name + " must look like 'keyid:base64key[,keyid:base64key]'.");
      }
      try {
        String id = part.substring(0, colon).trim();
        if (parsed.put(id, Base64.getDecoder().decode(part.substring(colon + 1).trim())) != null) {
          throw new IllegalArgumentException(name + " names key id '" + id + "' twice.");
        }
      } catch (IllegalArgumentException e) {
        if (e.getMessage() != null && e.getMessage().contains("twice")) {
          throw e;
        }
        throw new IllegalArgumentException(name + " has a key that is not valid base64.");
      }
    }
    return parsed;
  }

  public SealedValue seal(String plaintext, String associatedData) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      Base64.Encoder b64 = Base64.getEncoder();
      return new SealedValue(currentKeyId, b64.encodeToString(nonce), b64.encodeToString(sealed));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed.", e);
    }
  }

  /** Opens a sealed value; a wrong key, tampered bytes or other associated data throw. */
  public String open(SealedValue value, String associatedData) {
    SecretKeySpec key = value == null ? null : keys.get(value.keyId());
    if (key == null) {
      throw new MalformedEventException("The sealed value uses an unknown key id.");
    }
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, b64.decode(value.nonce())));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(b64.decode(value.ciphertext())), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new MalformedEventException("The sealed value does not open: tampered, or sealed for something else.", e);
    }
  }
}
