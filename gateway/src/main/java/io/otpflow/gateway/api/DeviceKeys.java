package io.otpflow.gateway.api;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Checks a device's public key: base64 SubjectPublicKeyInfo of an ECDSA key on P-256, nothing else. */
public final class DeviceKeys {
  private static final ECParameterSpec P256 = p256();
  private static final int MAX_BASE64 = 1024;

  private DeviceKeys() {}

  /** True when {@code base64} is the SubjectPublicKeyInfo of a P-256 point the JDK accepts. */
  static boolean isP256PublicKey(String base64) {
    if (base64 == null || base64.isEmpty() || base64.length() > MAX_BASE64) {
      return false;
    }
    try {
      PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      if (!(key instanceof ECPublicKey ec)) {
        return false;
      }
      ECParameterSpec params = ec.getParams();
      return params.getOrder().equals(P256.getOrder()) && params.getCurve().equals(P256.getCurve())
          && params.getGenerator().equals(P256.getGenerator()) && !ec.getW().getAffineX().equals(BigInteger.ZERO);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      return false;
    }
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM has no P-256 curve.", e);
    }
  }
}
