package io.otpflow.testing;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A local APNs for tests: pushy's {@link MockApnsServer} over TLS (HTTP/2, with a self-signed
 * certificate made for the test), validating as Apple does: token-based authentication (the JWT's
 * ES256 signature against the .p8 key this fake made, key id, team id), the topic, device tokens
 * (64 hex, registered for the topic), collapse id, priority, push type and payload size. A token
 * {@link #markUnregistered marked unregistered} is answered 410 Unregistered; failures can be
 * scripted per token ({@link #failNext}).
 *
 * <p>What it accepted is recorded ({@link #received()}), and every request with its answer ({@link
 * #attempts()}: {@code accepted} or the rejection's name, e.g. {@code UNREGISTERED}, {@code TOO_MANY_REQUESTS}).
 */
public final class FakeApns implements AutoCloseable {
  public static final String KEY_ID = "KEYID00001";
  public static final String TEAM_ID = "TEAMID0001";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An accepted notification: its headers and the payload as JSON. */
  public record Received(String token, String topic, String collapseId, String expiration, String priority,
      String pushType, String apnsId, JsonObject payload, Instant receivedAt) {}

  /** One request and how it was answered ({@code accepted}, or the rejection reason). */
  public record Attempt(String token, String answer, Instant at) {}

  private final String topic;
  private final Path dir;
  private final Path signingKeyFile;
  private final TestTls tls;
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> unregistered = new ConcurrentHashMap<>();
  private final Map<String, Deque<RejectionReason>> failures = new HashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final MockApnsServer server;
  private final int port;

  private FakeApns(String topic) throws Exception {
    this.topic = topic;
    this.dir = Files.createTempDirectory("fake-apns");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair signing = generator.generateKeyPair();
    this.signingKeyFile = dir.resolve("AuthKey_" + KEY_ID + ".p8");
    Files.writeString(signingKeyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(signing.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
    this.tls = TestTls.selfSigned(dir);
    ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) signing.getPublic());
    ValidatingPushNotificationHandlerFactory validating = new ValidatingPushNotificationHandlerFactory(
        Map.of(topic, tokens), unregistered, Map.of(KEY_ID, verification), Map.of(verification, Set.of(topic)));
    this.server = new MockApnsServerBuilder()
        .setServerCredentials(new X509Certificate[] {tls.certificate()}, tls.privateKey(), null)
        .setHandlerFactory(session -> scripted(validating.buildHandler(session)))
        .setListener(new Recorder())
        .build();
    this.port = server.start(0).get(30, TimeUnit.SECONDS);
  }

  /** Starts on a random port of 127.0.0.1, for apps with bundle id {@code topic}. */
  public static FakeApns start(String topic) {
    try {
      return new FakeApns(topic);
    } catch (Exception e) {
      throw new IllegalStateException("FakeApns could not start", e);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  public String topic() {
    return topic;
  }

  /** The .p8 signing key whose public half this server checks provider tokens against. */
  public Path signingKeyFile() {
    return signingKeyFile;
  }

  /** The server's certificate (PEM), for the client to trust. */
  public Path trustedCertificateFile() {
    return tls.certificatePem();
  }

  /** A new device token (64 hex), registered for the topic. */
  public String newDeviceToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    tokens.add(token);
    return token;
  }

  /** From now on pushes to {@code token} are answered 410 Unregistered, as for an app that was removed. */
  public void markUnregistered(String token) {
    unregistered.put(token, Instant.now());
  }

  /** The next {@code count} requests for {@code token} are rejected with {@code reason} (e.g. TOO_MANY_REQUESTS). */
  public void failNext(String token, int count, RejectionReason reason) {
    synchronized (failures) {
      Deque<RejectionReason> queue = failures.computeIfAbsent(token, t -> new ArrayDeque<>());
      for (int i = 0; i < count; i++) {
        queue.addLast(reason);
      }
    }
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> receivedBy(String token) {
    return received.stream().filter(r -> r.token().equals(token)).toList();
  }

  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  public List<Attempt> attemptsFor(String token) {
    return attempts.stream().filter(a -> a.token().equals(token)).toList();
  }

  /** Forgets what was received and scripted; registered and unregistered tokens stay. */
  public void reset() {
    synchronized (failures) {
      failures.clear();
    }
    received.clear();
    attempts.clear();
  }

  /** Scripted failures first, then Apple's checks. */
  private PushNotificationHandler scripted(PushNotificationHandler validating) {
    return (headers, payload) -> {
      RejectionReason scripted;
      synchronized (failures) {
        Deque<RejectionReason> queue = failures.get(token(headers));
        scripted = queue == null ? null : queue.pollFirst();
      }
      if (scripted != null) {
        throw new RejectedNotificationException(scripted);
      }
      validating.handlePushNotification(headers, payload);
    };
  }

  /** Records every answer, as the server gives it. */
  private final class Recorder implements MockApnsServerListener {
    @Override
    public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
      String token = token(headers);
      attempts.add(new Attempt(token, "accepted", Instant.now()));
      received.add(new Received(token, header(headers, "apns-topic"), header(headers, "apns-collapse-id"),
          header(headers, "apns-expiration"), header(headers, "apns-priority"), header(headers, "apns-push-type"),
          header(headers, "apns-id"), new JsonObject(payload.toString(StandardCharsets.UTF_8)), Instant.now()));
    }

    @Override
    public void handlePushNotificationRejected(Http2Headers headers, ByteBuf payload, RejectionReason reason,
        Instant deviceTokenExpiration) {
      attempts.add(new Attempt(token(headers), reason.name(), Instant.now()));
    }
  }

  private static String token(Http2Headers headers) {
    String path = header(headers, ":path");
    return path != null && path.startsWith("/3/device/") ? path.substring("/3/device/".length()) : "";
  }

  private static String header(Http2Headers headers, String name) {
    CharSequence value = headers.get(name);
    return value == null ? null : value.toString();
  }

  @Override
  public void close() {
    try {
      server.shutdown().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("FakeApns did not stop cleanly", e);
    } finally {
      ScratchDir.delete(dir);
    }
  }
}
