package io.otpflow.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device answer signatures: DER and raw r||s, and everything that must not verify. */
class DeviceSignaturesTest {
  private static final String TEXT = "VE0123456789abcdef0123456789abcdef:approve";

  private static KeyPair keys(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private static byte[] sign(KeyPair keys, String algorithm, String text) throws Exception {
    Signature s = Signature.getInstance(algorithm);
    s.initSign(keys.getPrivate());
    s.update(text.getBytes(StandardCharsets.UTF_8));
    return s.sign();
  }

  private static String publicKey(KeyPair keys) {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  @Test
  void derAndRawSignaturesOfTheDevicesKeyVerify() throws Exception {
    KeyPair device = keys("secp256r1");
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, sign(device, "SHA256withECDSA", TEXT))).isTrue();
    byte[] raw = sign(device, "SHA256withECDSAinP1363Format", TEXT);
    assertThat(raw).hasSize(64);
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, raw)).isTrue();
  }

  @Test
  void anotherTextAnotherKeyAndBrokenSignaturesDoNotVerify() throws Exception {
    KeyPair device = keys("secp256r1");
    byte[] good = sign(device, "SHA256withECDSA", TEXT);
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT.replace("approve", "deny"), good)).isFalse();
    assertThat(DeviceSignatures.verify(publicKey(keys("secp256r1")), TEXT, good)).isFalse();
    byte[] flipped = good.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, flipped)).isFalse();
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, Arrays.copyOf(good, good.length - 3))).isFalse();
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, new byte[64])).isFalse();
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, new byte[2])).isFalse();
    assertThat(DeviceSignatures.verify(publicKey(device), TEXT, new byte[500])).isFalse();
    assertThat(DeviceSignatures.verify("not a key", TEXT, good)).isFalse();
    KeyPair p384 = keys("secp384r1");
    assertThat(DeviceSignatures.verify(publicKey(p384), TEXT, sign(p384, "SHA256withECDSA", TEXT)))
        .as("only P-256 keys are device keys").isFalse();
  }

  /** What the README shows: a key made and a text signed with openssl verifies (skipped without openssl). */
  @Test
  void aSignatureMadeWithOpensslVerifies(@TempDir Path dir) throws Exception {
    assumeTrue(run(dir, "openssl", "version") == 0, "openssl is not installed");
    Path key = dir.resolve("device.pem");
    assertThat(run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString())).isZero();
    Path pub = dir.resolve("device.der");
    assertThat(run(dir, "openssl", "ec", "-in", key.toString(), "-pubout", "-outform", "DER", "-out", pub.toString())).isZero();
    Path text = dir.resolve("text");
    Files.writeString(text, TEXT); // no newline: the signed bytes are exactly the text
    Path sig = dir.resolve("sig");
    assertThat(run(dir, "openssl", "dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), text.toString()))
        .isZero();
    String publicKey = Base64.getEncoder().encodeToString(Files.readAllBytes(pub));
    assertThat(DeviceSignatures.verify(publicKey, TEXT, Files.readAllBytes(sig))).isTrue();
    assertThat(DeviceSignatures.verify(publicKey, TEXT + "\n", Files.readAllBytes(sig))).isFalse();
  }

  private static int run(Path dir, String... command) throws IOException, InterruptedException {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("openssl.log").toFile()).start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
