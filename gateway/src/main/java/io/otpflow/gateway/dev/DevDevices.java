package io.otpflow.gateway.dev;

import io.otpflow.common.CodeMac;
import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountRequest;
import io.otpflow.gateway.api.Problems;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Development only (OTPFLOW_DEV_DEVICES with the dev outbox): push devices simulated by the outbox
 * page, so approve mode can be tried with no phone. Each has a P-256 key pair made here, whose
 * private half never leaves this gateway's memory (gone when it restarts: add another device then),
 * and a made-up token, registered on the account through the registry like any device. Answering
 * signs "{id}:{decision}[:{number}]" with that key, exactly as a phone app would, and goes through
 * the same answer path and signature check. Nothing of this exists unless the flag is set.
 */
public final class DevDevices {
  /** A simulated device: its registration, and the key the page signs with. */
  record Device(String id, String tenant, String account, String label, String platform, KeyPair keys, Instant addedAt) {}

  private static final int MAX_DEVICES = 50;
  private final Map<String, Device> byId = new ConcurrentHashMap<>();
  private final CodeMac codeMac;
  private final SecretBox addressBox;
  private final SecureRandom random = new SecureRandom();

  public DevDevices(CodeMac codeMac, SecretBox addressBox) {
    this.codeMac = codeMac;
    this.addressBox = addressBox;
  }

  /**
   * Runs before adding a device or answering for one: only a browser on the gateway's own machine
   * (the TCP peer is a loopback address; X-Forwarded-For is not asked) may, so a development gateway
   * that others can reach does not let them put a device on any account of any tenant. Others get 403.
   */
  public static void onlyFromThisMachine(io.vertx.ext.web.RoutingContext ctx) {
    io.vertx.core.net.SocketAddress peer = ctx.request().remoteAddress();
    String host = peer == null ? null : peer.hostAddress();
    boolean loopback = host != null && (host.startsWith("127.") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1"));
    if (!loopback) {
      Problems.send(ctx, 403, "dev-devices-local-only", "Simulated devices can be used only from the gateway's own machine.");
      return;
    }
    ctx.next();
  }

  /** A new device and the request that registers it; call {@link #keep} once the registry accepted it. */
  record Registration(Device device, AccountRequest.RegisterDevice request) {}

  Registration registration(Tenant tenant, String account, String label, String platform) {
    if (byId.size() >= MAX_DEVICES) {
      throw new IllegalStateException("This page holds " + MAX_DEVICES + " development devices already.");
    }
    KeyPair keys;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      keys = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JVM cannot make P-256 keys.", e);
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    // Shaped like real tokens, so they pass the same validation; no provider knows them.
    String token = "apns".equals(platform) ? HexFormat.of().formatHex(bytes)
        : "dev-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byte[] idBytes = new byte[16];
    random.nextBytes(idBytes); // not from the token: device ids are shown, tokens never
    String id = "DV" + HexFormat.of().formatHex(idBytes);
    Device device = new Device(id, tenant.id(), account, label, platform, keys, Instant.now());
    AccountRequest.RegisterDevice request = new AccountRequest.RegisterDevice(UUID.randomUUID().toString(), Instant.now(),
        tenant.id(), account, id, platform, addressBox.seal(token, StoredFactor.pushTokenAad(tenant.id(), account)),
        codeMac.mac(tenant.id(), "push-token", token), "Development device", label,
        Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()));
    return new Registration(device, request);
  }

  void keep(Device device) {
    byId.put(device.id(), device);
  }

  Optional<Device> find(String id) {
    return id == null ? Optional.empty() : Optional.ofNullable(byId.get(id));
  }

  List<Device> all() {
    List<Device> all = new ArrayList<>(byId.values());
    all.sort(java.util.Comparator.comparing(Device::addedAt));
    return all;
  }

  /** A DER ECDSA-SHA256 signature of {@code text}, as {@code SHA256withECDSA} makes it. */
  static byte[] sign(Device device, String text) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(device.keys().getPrivate());
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Signing failed.", e);
    }
  }
}
