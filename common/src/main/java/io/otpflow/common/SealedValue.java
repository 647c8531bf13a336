package io.otpflow.common;

/**
 * A secret encrypted with AES-256-GCM for transport or storage; safe to put on a topic or in Redis.
 *
 * @param keyId which key sealed it, so keys can be rotated while old values are still readable
 * @param nonce base64 96-bit nonce
 * @param ciphertext base64 ciphertext with the GCM tag
 */
public record SealedValue(String keyId, String nonce, String ciphertext) {
  public SealedValue {
    Json.require(keyId, "key_id");
    Json.require(nonce, "nonce");
    Json.require(ciphertext, "ciphertext");
  }
}
