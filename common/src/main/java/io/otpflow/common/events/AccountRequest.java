package io.otpflow.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import java.time.Instant;
import java.util.List;

/**
 * Gateway → verifier on {@code otp.account-requests.v1}, keyed by the account's hash
 * ({@code codeMac.mac(tenant, "account", account)}) so one account's requests stay in order. The
 * verifier owns the account registry and answers each request with an {@link AccountReply} on
 * {@code otp.replies.v1}. No secret travels in clear: TOTP secrets are sealed with the factor keys,
 * phone numbers and push tokens with the address keys, and codes travel only as keyed MACs.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AccountRequest.EnrollTotp.class, name = "enroll_totp"),
  @JsonSubTypes.Type(value = AccountRequest.EnrollPhone.class, name = "enroll_phone"),
  @JsonSubTypes.Type(value = AccountRequest.Confirm.class, name = "confirm"),
  @JsonSubTypes.Type(value = AccountRequest.Remove.class, name = "remove"),
  @JsonSubTypes.Type(value = AccountRequest.TurnOff.class, name = "turn_off"),
  @JsonSubTypes.Type(value = AccountRequest.GenerateRecoveryCodes.class, name = "generate_recovery_codes"),
  @JsonSubTypes.Type(value = AccountRequest.RegisterDevice.class, name = "register_device"),
  @JsonSubTypes.Type(value = AccountRequest.Get.class, name = "get")
})
public sealed interface AccountRequest {
  String eventId();

  Instant occurredAt();

  String tenant();

  String account();

  /**
   * What allows a change of an account's factors. One of: {@code codeMac} = MAC(tenant, request
   * event id, code) of a current TOTP code; {@code recoveryMac} = MAC(tenant, "recovery-code",
   * normalised code) of a recovery code; {@code verificationId} of a recently approved verification
   * of this account (used as proof once); or {@code admin} (the tenant's admin key) with a
   * {@code reason}, which is recorded in the account event.
   */
  record Proof(String codeMac, String recoveryMac, String verificationId, boolean admin, String reason) {
    public static final Proof NONE = new Proof(null, null, null, false, null);
  }

  /**
   * Start an unconfirmed authenticator-app factor. The gateway made the secret and shows it once.
   *
   * @param secret the TOTP secret, sealed with the factor keys, associated data
   *     {@code totp-secret|tenant|account|factorId}
   */
  record EnrollTotp(
      String eventId, Instant occurredAt, String tenant, String account, String factorId, SealedValue secret,
      String algorithm, int digits, int period, String label) implements AccountRequest {
    public EnrollTotp {
      common(eventId, tenant, account);
      Json.require(factorId, "factor_id");
      Json.require(secret, "secret");
      Json.require(algorithm, "algorithm");
    }

    @Override
    public String toString() {
      return "EnrollTotp[tenant=" + tenant + ", factorId=" + factorId + "]";
    }
  }

  /**
   * Start an unconfirmed phone factor; the gateway then sends an SMS verification
   * ({@code verificationId}) to the number, whose approval confirms the factor.
   *
   * @param number E.164 number sealed with the address keys, associated data {@code phone-number|tenant|account}
   * @param numberFingerprint MAC(tenant, "phone-number", number): one factor per number and account
   */
  record EnrollPhone(
      String eventId, Instant occurredAt, String tenant, String account, String factorId, SealedValue number,
      String numberMasked, String numberFingerprint, String verificationId, String label) implements AccountRequest {
    public EnrollPhone {
      common(eventId, tenant, account);
      Json.require(factorId, "factor_id");
      Json.require(number, "number");
      Json.require(numberFingerprint, "number_fingerprint");
      Json.require(verificationId, "verification_id");
    }

    @Override
    public String toString() {
      return "EnrollPhone[tenant=" + tenant + ", factorId=" + factorId + "]";
    }
  }

  /**
   * Confirm an unconfirmed factor. TOTP: {@code codeMac} = MAC(tenant, this event id, code);
   * phone: {@code codeMac} = MAC(tenant, the factor's verification id, code), checked like any SMS code.
   */
  record Confirm(String eventId, Instant occurredAt, String tenant, String account, String factorId, String codeMac)
      implements AccountRequest {
    public Confirm {
      common(eventId, tenant, account);
      Json.require(factorId, "factor_id");
      Json.require(codeMac, "code_mac");
    }
  }

  /** Remove a factor (FA…) or a push device (DV…); needs {@code proof} unless the factor is still unconfirmed. */
  record Remove(String eventId, Instant occurredAt, String tenant, String account, String factorId, Proof proof)
      implements AccountRequest {
    public Remove {
      common(eventId, tenant, account);
      Json.require(factorId, "factor_id");
      Json.require(proof, "proof");
    }
  }

  /**
   * Turn two-step verification off for the account: every factor and device (pending ones too) and
   * the recovery codes go, on one {@code proof} (an admin's reason, or a code of one of the factors
   * that are going). An account with nothing active needs no proof, and nothing happens.
   */
  record TurnOff(String eventId, Instant occurredAt, String tenant, String account, Proof proof)
      implements AccountRequest {
    public TurnOff {
      common(eventId, tenant, account);
      Json.require(proof, "proof");
    }
  }

  /**
   * Replace the account's recovery codes with new ones, given as their MACs (MAC(tenant,
   * "recovery-code", code)); the verifier stores salted slow hashes of these. Needs {@code proof}
   * when the account already has an active factor or recovery codes.
   */
  record GenerateRecoveryCodes(
      String eventId, Instant occurredAt, String tenant, String account, List<String> codeMacs, Proof proof)
      implements AccountRequest {
    public GenerateRecoveryCodes {
      common(eventId, tenant, account);
      Json.require(codeMacs, "code_macs");
      Json.require(proof, "proof");
      codeMacs = List.copyOf(codeMacs);
    }

    @Override
    public String toString() {
      return "GenerateRecoveryCodes[tenant=" + tenant + ", count=" + codeMacs.size() + "]";
    }
  }

  /**
   * Register a push device, or update the one registered with the same token.
   *
   * @param token the push token sealed with the address keys, associated data {@code push-token|tenant|account}
   * @param tokenFingerprint MAC(tenant, "push-token", token): the same token registers once per account
   * @param publicKey base64 SubjectPublicKeyInfo of the device's ECDSA P-256 key (public, not secret)
   */
  record RegisterDevice(
      String eventId, Instant occurredAt, String tenant, String account, String deviceId, String platform,
      SealedValue token, String tokenFingerprint, String name, String label, String publicKey)
      implements AccountRequest {
    public RegisterDevice {
      common(eventId, tenant, account);
      Json.require(deviceId, "device_id");
      Json.require(platform, "platform");
      Json.require(token, "token");
      Json.require(tokenFingerprint, "token_fingerprint");
      Json.require(publicKey, "public_key");
    }

    @Override
    public String toString() {
      return "RegisterDevice[tenant=" + tenant + ", deviceId=" + deviceId + "]";
    }
  }

  /** Read the account's factors (no secrets). */
  record Get(String eventId, Instant occurredAt, String tenant, String account) implements AccountRequest {
    public Get {
      common(eventId, tenant, account);
    }
  }

  private static void common(String eventId, String tenant, String account) {
    Json.require(eventId, "event_id");
    Json.require(tenant, "tenant");
    Json.require(account, "account");
  }
}
