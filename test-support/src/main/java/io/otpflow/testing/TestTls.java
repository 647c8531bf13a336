package io.otpflow.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed TLS server certificate for local test servers, valid for {@code localhost} and
 * {@code 127.0.0.1}, made with the JDK's own keytool (so no certificate library is needed), with its
 * certificate also written as PEM for clients to trust.
 *
 * @param certificatePem the certificate as a PEM file, for a client's trust settings
 */
public record TestTls(X509Certificate certificate, PrivateKey privateKey, Path certificatePem) {
  private static final char[] PASSWORD = "test-only".toCharArray();

  /** Makes the key pair and certificate in {@code dir} (a fresh temporary folder is fine). */
  public static TestTls selfSigned(Path dir) {
    Path keystore = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    try {
      Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "RSA",
          "-keysize", "2048", "-validity", "7", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
          "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
          "-keypass", new String(PASSWORD))
          .redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool could not make a test certificate: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, PASSWORD);
      }
      X509Certificate certificate = (X509Certificate) store.getCertificate("server");
      PrivateKey key = (PrivateKey) store.getKey("server", PASSWORD);
      Path pem = dir.resolve("server.crt");
      Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
      return new TestTls(certificate, key, pem);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Could not make a test certificate in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
