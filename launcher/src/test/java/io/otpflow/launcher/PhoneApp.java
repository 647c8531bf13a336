package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.FakeApns;
import io.otpflow.testing.FakeFcm;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A phone with the authenticator app, as the tests need one: a push token from the fake provider
 * (APNs or FCM), its own P-256 key pair, registration on an account through the API, the
 * notifications the provider delivered to it, and signed answers exactly as the app would send them.
 */
final class PhoneApp {
  /** A notification as the app reads it: the same keys on both platforms. */
  record Notification(String verificationId, String mode, String code, String title, String body, JsonObject data) {}

  final TestPlatform p;
  final String platform;
  final String token;
  final KeyPair keys;
  String deviceId;

  private PhoneApp(TestPlatform p, String platform, String token) {
    this.p = p;
    this.platform = platform;
    this.token = token;
    this.keys = newKeys();
  }

  static PhoneApp iphone(TestPlatform p) {
    return new PhoneApp(p, "apns", p.apns.newDeviceToken());
  }

  static PhoneApp android(TestPlatform p) {
    return new PhoneApp(p, "fcm", p.fcm.newRegistrationToken());
  }

  static KeyPair newKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  String publicKey() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  /** Registers this phone on {@code account}; returns itself, with its device id. */
  PhoneApp register(String apiKey, String account, String name, String label) {
    TestPlatform.Reply r = p.post("/v1/accounts/" + account + "/devices", apiKey, new JsonObject().put("platform", platform)
        .put("token", token).put("name", name).put("label", label).put("public_key", publicKey()).encode());
    assertThat(r.status()).as("registering %s: %s", name, r.body()).isEqualTo(201);
    deviceId = r.body().getString("id");
    return this;
  }

  /** Base64 DER ECDSA-SHA256 over {@code text}, with {@code signer}'s key. */
  static String sign(KeyPair signer, String text) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(signer.getPrivate());
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String signedText(String verificationId, String decision, Integer number) {
    return verificationId + ":" + decision + (number == null ? "" : ":" + number);
  }

  /** Answers as the app does: no API key, signed with this phone's key. */
  TestPlatform.Reply answer(String verificationId, String decision, Integer number) {
    return answer(null, verificationId, decision, number, sign(keys, signedText(verificationId, decision, number)));
  }

  TestPlatform.Reply answer(String apiKey, String verificationId, String decision, Integer number, String signature) {
    JsonObject body = new JsonObject().put("device_id", deviceId).put("decision", decision).put("signature", signature);
    if (number != null) {
      body.put("number", number);
    }
    return p.post("/v1/verifications/" + verificationId + "/answers", apiKey, body.encode());
  }

  /** Everything the provider delivered to this phone, oldest first. */
  List<Notification> notifications() {
    List<Notification> out = new ArrayList<>();
    if ("apns".equals(platform)) {
      for (FakeApns.Received r : p.apns.receivedBy(token)) {
        JsonObject alert = r.payload().getJsonObject("aps").getJsonObject("alert", new JsonObject());
        out.add(new Notification(r.payload().getString("verification_id"), r.payload().getString("mode"),
            r.payload().getString("code"), alert.getString("title"), alert.getString("body"), r.payload()));
      }
    } else {
      for (FakeFcm.ReceivedMessage m : p.fcm.messagesTo(token)) {
        JsonObject data = m.message().getJsonObject("data");
        JsonObject n = m.message().getJsonObject("notification", new JsonObject());
        out.add(new Notification(data.getString("verification_id"), data.getString("mode"), data.getString("code"),
            n.getString("title", data.getString("title")), n.getString("body", data.getString("body")), data));
      }
    }
    return out;
  }

  List<Notification> notificationsFor(String verificationId) {
    return notifications().stream().filter(n -> verificationId.equals(n.verificationId())).toList();
  }

  /** Waits for this verification's notification (not a withdrawal) to arrive. */
  Notification awaitPush(String verificationId) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> notificationsFor(verificationId).stream()
        .filter(n -> !"withdraw".equals(n.mode())).findFirst(), java.util.Optional::isPresent).get();
  }

  /** Waits for the withdrawal of this verification to arrive. */
  Notification awaitWithdrawal(String verificationId) {
    return await().atMost(Duration.ofSeconds(20)).until(() -> notificationsFor(verificationId).stream()
        .filter(n -> "withdraw".equals(n.mode())).findFirst(), java.util.Optional::isPresent).get();
  }

  /** The keys the app reads from a notification's data (APNs payload minus aps, or FCM data). */
  static java.util.Set<String> dataKeys(Notification n) {
    java.util.Set<String> keys = new java.util.TreeSet<>(n.data().fieldNames());
    keys.remove("aps");
    return keys;
  }

  @Override
  public String toString() {
    return platform + " " + deviceId;
  }
}
