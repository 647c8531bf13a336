package io.otpflow.common;

import java.security.GeneralSecurityException;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), as authenticator apps compute them.
 * Immutable and thread-safe; the time is always passed in, never read here, so callers (and tests)
 * decide what "now" is. Bad settings fail in the constructor.
 */
public final class Totp {
  /** The HMAC an authenticator app uses, with the secret length RFC 6238's test vectors use for it. */
  public enum Algorithm {
    SHA1("HmacSHA1", "SHA1", 20),
    SHA256("HmacSHA256", "SHA256", 32),
    SHA512("HmacSHA512", "SHA512", 64);

    private final String jce;
    private final String uriName;
    private final int secretBytes;

    Algorithm(String jce, String uriName, int secretBytes) {
      this.jce = jce;
      this.uriName = uriName;
      this.secretBytes = secretBytes;
    }

    /** The name in an otpauth:// URI and in tenant settings ("SHA1", "SHA256", "SHA512"). */
    public String uriName() {
      return uriName;
    }

    /** Bytes of secret to generate: 160 bits for SHA-1 (RFC 4226's minimum), the hash length otherwise. */
    public int secretBytes() {
      return secretBytes;
    }

    public static Algorithm fromName(String name) {
      for (Algorithm a : values()) {
        if (a.uriName.equalsIgnoreCase(name) || a.name().equalsIgnoreCase(name)) {
          return a;
        }
      }
      throw new IllegalArgumentException("TOTP algorithm must be SHA1, SHA256 or SHA512, got '" + name + "'.");
    }
  }

  private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  private final Algorithm algorithm;
  private final int digits;
  private final int periodSeconds;

  /**
   * @param digits 6 or 8 (what Google and Microsoft Authenticator display)
   * @param periodSeconds length of a time step, 15 to 120 seconds (30 is what every app assumes by default)
   */
  public Totp(Algorithm algorithm, int digits, int periodSeconds) {
    if (algorithm == null) {
      throw new IllegalArgumentException("A TOTP algorithm is required.");
    }
    if (digits != 6 && digits != 8) {
      throw new IllegalArgumentException("TOTP codes have 6 or 8 digits, not " + digits + ".");
    }
    if (periodSeconds < 15 || periodSeconds > 120) {
      throw new IllegalArgumentException("The TOTP period must be 15 to 120 seconds, not " + periodSeconds + ".");
    }
    this.algorithm = algorithm;
    this.digits = digits;
    this.periodSeconds = periodSeconds;
  }

  /** SHA-1, 6 digits, 30 seconds: the Key Uri Format's defaults, which every app understands. */
  public static Totp defaults() {
    return new Totp(Algorithm.SHA1, 6, 30);
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public int digits() {
    return digits;
  }

  public int periodSeconds() {
    return periodSeconds;
  }

  /** The time step (RFC 6238's T) that contains {@code time}: whole periods since the Unix epoch (T0 = 0). */
  public long step(Instant time) {
    return Math.floorDiv(time.getEpochSecond(), periodSeconds);
  }

  /** The code an app shows at {@code time}. */
  public String codeAt(byte[] secret, Instant time) {
    return code(secret, step(time));
  }

  /** The code of one time step. */
  public String code(byte[] secret, long step) {
    return hotp(algorithm, secret, step, digits);
  }

  /** HOTP (RFC 4226 section 5.3): HMAC of the 8-byte big-endian counter, dynamically truncated. */
  public static String hotp(Algorithm algorithm, byte[] secret, long counter, int digits) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("An OTP secret must not be empty.");
    }
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("HOTP codes have 6 to 8 digits.");
    }
    byte[] message = new byte[8];
    for (int i = 7; i >= 0; i--) {
      message[i] = (byte) (counter & 0xff);
      counter >>>= 8;
    }
    byte[] hash;
    try {
      Mac mac = Mac.getInstance(algorithm.jce);
      mac.init(new SecretKeySpec(secret, algorithm.jce));
      hash = mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm.jce + " is not available in this JVM.", e);
    }
    int offset = hash[hash.length - 1] & 0x0f;
    // The top bit is masked so the value is the same whether read as signed or unsigned.
    int binary = ((hash[offset] & 0x7f) << 24)
        | ((hash[offset + 1] & 0xff) << 16)
        | ((hash[offset + 2] & 0xff) << 8)
        | (hash[offset + 3] & 0xff);
    String text = Integer.toString(binary % POWERS_OF_TEN[digits]);
    return "0".repeat(digits - text.length()) + text;
  }

  @Override
  public String toString() {
    return "Totp[" + algorithm.uriName + ", " + digits + " digits, " + periodSeconds + " s]";
  }
}
