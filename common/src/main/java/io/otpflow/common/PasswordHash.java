package io.otpflow.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Salted, slow, memory-hard hashes (Argon2id, RFC 9106) for secrets a person holds and may type
 * again: recovery codes now, passwords later. Stored in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}), so the parameters travel with each hash
 * and can be raised later without invalidating what is stored.
 *
 * @param memoryKib memory per hash in KiB
 * @param iterations passes over that memory
 * @param parallelism lanes
 */
public record PasswordHash(int memoryKib, int iterations, int parallelism) {
  /** OWASP's first Argon2id configuration (19 MiB, 2 passes, 1 lane). */
  public static final PasswordHash OWASP = new PasswordHash(19 * 1024, 2, 1);

  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  public PasswordHash {
    if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1 || memoryKib > 1024 * 1024) {
      throw new IllegalArgumentException("Argon2id parameters are out of range.");
    }
  }

  public String hash(String secret) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] out = derive(secret, salt, memoryKib, iterations, parallelism);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
        + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
  }

  /** True when {@code secret} hashes to {@code encoded}; false for a wrong secret or anything malformed. */
  public static boolean verify(String encoded, String secret) {
    if (encoded == null || secret == null) {
      return false;
    }
    String[] parts = encoded.split("\\$");
    // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
    if (parts.length != 6 || !"argon2id".equals(parts[1]) || !"v=19".equals(parts[2])) {
      return false;
    }
    try {
      int m = 0, t = 0, p = 0;
      for (String kv : parts[3].split(",")) {
        int value = Integer.parseInt(kv.substring(2));
        switch (kv.substring(0, 2)) {
          case "m=" -> m = value;
          case "t=" -> t = value;
          case "p=" -> p = value;
          default -> {
            return false;
          }
        }
      }
      new PasswordHash(m, t, p); // refuses parameters that would make verification absurdly expensive
      Base64.Decoder b64 = Base64.getDecoder();
      byte[] expected = b64.decode(parts[5]);
      byte[] actual = derive(secret, b64.decode(parts[4]), m, t, p);
      // Constant-time: the comparison does not stop at the first differing byte.
      return expected.length == HASH_BYTES && MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static byte[] derive(String secret, byte[] salt, int m, int t, int p) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(m)
        .withIterations(t)
        .withParallelism(p)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[HASH_BYTES];
    generator.generateBytes(secret.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
