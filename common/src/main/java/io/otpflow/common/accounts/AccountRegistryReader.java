package io.otpflow.common.accounts;

import io.otpflow.common.CodeMac;
import io.otpflow.common.Json;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisKeys.AccountField;
import io.otpflow.common.SealedValue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/**
 * Read-only access to the account registry for services other than its owner (the verifier): the
 * issuer resolves an account's phone factor and knows whether it has an authenticator app or
 * recovery codes; the push fan-out reads its active devices. One HGETALL per call, no writes, so a
 * reader can never disturb the registry's atomic updates. Secrets come back sealed; each reader
 * opens only what its own keys allow (the issuer numbers, the push dispatcher tokens).
 */
public final class AccountRegistryReader {
  private final UnifiedJedis redis;
  private final CodeMac codeMac;
  private final Clock clock;

  public AccountRegistryReader(UnifiedJedis redis, CodeMac codeMac, Clock clock) {
    this.redis = redis;
    this.codeMac = codeMac;
    this.clock = clock;
  }

  /** A push device as the fan-out needs it; the token is sealed with the address keys ({@link StoredFactor#pushTokenAad}). */
  public record Device(String deviceId, String platform, SealedValue sealedToken, String name, String label,
      String publicKey) {}

  /** A confirmed phone factor; the number is sealed with the address keys ({@link StoredFactor#phoneNumberAad}). */
  public record Phone(String factorId, SealedValue sealedNumber, String numberMasked) {}

  /** The account's push devices, oldest first. Empty for an unknown account. */
  public List<Device> activeDevices(String tenant, String account) {
    List<Device> devices = new ArrayList<>();
    for (StoredFactor f : factors(tenant, account)) {
      if (StoredFactor.DEVICE.equals(f.type()) && f.isActive()) {
        devices.add(new Device(f.id(), f.platform(), f.token(), f.name(), f.label(), f.publicKey()));
      }
    }
    return devices;
  }

  /** The confirmed phone factor {@code factorId}, or (null id) the one confirmed first. */
  public Optional<Phone> phone(String tenant, String account, String factorId) {
    return factors(tenant, account).stream()
        .filter(f -> StoredFactor.PHONE.equals(f.type()) && f.isActive())
        .filter(f -> factorId == null || f.id().equals(factorId))
        .min(Comparator.comparing(StoredFactor::confirmedAt, Comparator.nullsLast(Comparator.naturalOrder())))
        .map(f -> new Phone(f.id(), f.number(), f.numberMasked()));
  }

  /** True when the account has a confirmed authenticator app ({@code factorId}, or any when null). */
  public boolean hasActiveTotp(String tenant, String account, String factorId) {
    return factors(tenant, account).stream()
        .anyMatch(f -> StoredFactor.TOTP.equals(f.type()) && f.isActive() && (factorId == null || f.id().equals(factorId)));
  }

  /** Unused recovery codes of the account. */
  public int recoveryCodesLeft(String tenant, String account) {
    return (int) hash(tenant, account).keySet().stream().filter(k -> k.startsWith(AccountField.RECOVERY)).count();
  }

  private List<StoredFactor> factors(String tenant, String account) {
    Instant now = clock.instant();
    List<StoredFactor> factors = new ArrayList<>();
    hash(tenant, account).forEach((field, value) -> {
      if (field.startsWith(AccountField.FACTOR)) {
        StoredFactor f = Json.read(value.getBytes(StandardCharsets.UTF_8), StoredFactor.class);
        if (f.isLive(now)) {
          factors.add(f);
        }
      }
    });
    factors.sort(Comparator.comparing(StoredFactor::createdAt));
    return factors;
  }

  private Map<String, String> hash(String tenant, String account) {
    return redis.hgetAll(RedisKeys.account(tenant, accountMac(codeMac, tenant, account)));
  }

  /** The account's keyed hash: its Redis hash tag, and the key of its Kafka records. */
  public static String accountMac(CodeMac codeMac, String tenant, String account) {
    return codeMac.mac(tenant, "account", account);
  }
}
