package io.otpflow.common;

import java.util.Base64;

/**
 * The platform's two secrets, read from the environment: the code MAC key (issuer and gateway; the verifier only compares MACs)
 * and the dispatch keys that seal codes on their way to dispatchers (issuer, dispatchers). Neither
 * has a default: a service without them refuses to start.
 */
public final class PlatformKeys {
  public static final String CODE_MAC_KEY = "OTPFLOW_CODE_MAC_KEY";
  public static final String DISPATCH_KEYS = "OTPFLOW_DISPATCH_KEYS";

  private PlatformKeys() {}

  public static CodeMac codeMac(Env env) {
    try {
      return new CodeMac(Base64.getDecoder().decode(env.required(CODE_MAC_KEY)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CODE_MAC_KEY + " must be base64 of at least 32 random bytes: " + e.getMessage());
    }
  }

  public static SecretBox dispatchBox(Env env) {
    return new SecretBox(SecretBox.parseKeys(DISPATCH_KEYS, env.required(DISPATCH_KEYS)));
  }
}
