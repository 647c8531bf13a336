package io.otpflow.common;

import java.util.Base64;

/**
 * The platform's secrets, read from the environment. None has a default: a service without the keys
 * it needs refuses to start. Each key set has one job, so a service holds only what its job needs:
 *
 * <ul>
 *   <li>code MAC key: keyed hashes of codes, numbers, accounts (gateway, issuer, verifier);
 *   <li>dispatch keys: seal codes on their way to dispatchers (issuer seals; SMS and push dispatchers open);
 *   <li>factor keys: seal authenticator-app (TOTP) secrets at rest (gateway seals at enrolment; verifier opens);
 *   <li>address keys: seal delivery addresses at rest and on topics, phone numbers of phone factors and
 *       push tokens (gateway seals at registration; issuer opens phone numbers; push dispatcher opens tokens).
 * </ul>
 */
public final class PlatformKeys {
  public static final String CODE_MAC_KEY = "OTPFLOW_CODE_MAC_KEY";
  public static final String DISPATCH_KEYS = "OTPFLOW_DISPATCH_KEYS";
  public static final String FACTOR_KEYS = "OTPFLOW_FACTOR_KEYS";
  public static final String ADDRESS_KEYS = "OTPFLOW_ADDRESS_KEYS";

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

  public static SecretBox factorBox(Env env) {
    return new SecretBox(SecretBox.parseKeys(FACTOR_KEYS, env.required(FACTOR_KEYS)));
  }

  public static SecretBox addressBox(Env env) {
    return new SecretBox(SecretBox.parseKeys(ADDRESS_KEYS, env.required(ADDRESS_KEYS)));
  }
}
