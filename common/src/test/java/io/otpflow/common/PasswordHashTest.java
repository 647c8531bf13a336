package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Argon2id hashes: salted (two hashes of one secret differ), verifiable, and refusing anything else. */
class PasswordHashTest {
  private static final PasswordHash FAST = new PasswordHash(64, 1, 1);

  @Test
  void aHashVerifiesItsSecretOnly() {
    String hash = FAST.hash("k7m2p-9xqtd");
    assertThat(hash).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain("k7m2p");
    assertThat(PasswordHash.verify(hash, "k7m2p-9xqtd")).isTrue();
    assertThat(PasswordHash.verify(hash, "k7m2p-9xqte")).isFalse();
    assertThat(FAST.hash("k7m2p-9xqtd")).as("salted").isNotEqualTo(hash);
  }

  @Test
  void theOwaspParametersAreTheDefaultAndVerify() {
    String hash = PasswordHash.OWASP.hash("secret");
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(PasswordHash.verify(hash, "secret")).isTrue();
  }

  @Test
  void malformedOrAbsurdHashesNeverVerify() {
    assertThat(PasswordHash.verify(null, "x")).isFalse();
    assertThat(PasswordHash.verify("$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "x")).isFalse();
    assertThat(PasswordHash.verify("$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "x")).isFalse();
    assertThat(PasswordHash.verify("$argon2id$v=19$m=64,t=1$AAAA$AAAA", "x")).isFalse();
    assertThat(PasswordHash.verify("not a hash", "x")).isFalse();
  }
}
