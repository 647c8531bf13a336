package io.otpflow.push.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.server.RejectionReason;
import io.otpflow.testing.FakeApns;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ApnsPushSender} through pushy to pushy's MockApnsServer over TLS, with token authentication checked. */
class ApnsPushSenderTest {
  static final String TOPIC = "dev.otpflow.authenticator";
  private static FakeApns apns;
  private static ApnsPushSender sender;

  @BeforeAll
  static void start() {
    apns = FakeApns.start(TOPIC);
    sender = new ApnsPushSender(config(apns, TOPIC));
  }

  static ApnsConfig config(FakeApns apns, String topic) {
    return new ApnsConfig(apns.signingKeyFile(), FakeApns.KEY_ID, FakeApns.TEAM_ID, topic, "sandbox", apns.host(),
        apns.port(), apns.trustedCertificateFile(), Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    sender.close();
    apns.close();
  }

  @BeforeEach
  void reset() {
    apns.reset();
  }

  private static PushMessage message(String token, String mode, String code) {
    return new PushMessage(PushMessage.Kind.NOTIFY, "acme", "VE" + "a".repeat(32), "DV" + "b".repeat(32), "apns", token,
        mode, "Acme", code != null ? "Your Acme code is " + code : "Approve sign-in to Acme?", code, "approve".equals(mode),
        Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void aCodePushCarriesAlertCollapseIdExpiryAndTheAppsKeys() {
    String token = apns.newDeviceToken();
    PushMessage m = message(token, "code", "482913");
    PushOutcome outcome = sender.send(m);

    assertThat(outcome).isInstanceOf(PushOutcome.Accepted.class);
    FakeApns.Received got = apns.receivedBy(token).getFirst();
    assertThat(((PushOutcome.Accepted) outcome).providerMessageId()).isEqualToIgnoringCase(got.apnsId());
    assertThat(got.topic()).isEqualTo(TOPIC);
    assertThat(got.collapseId()).isEqualTo(m.verificationId());
    assertThat(got.expiration()).isEqualTo(Long.toString(m.expiresAt().getEpochSecond()));
    assertThat(got.priority()).isEqualTo("10");
    assertThat(got.pushType()).isEqualTo("alert");
    JsonObject aps = got.payload().getJsonObject("aps");
    assertThat(aps.getJsonObject("alert").getString("title")).isEqualTo("Acme");
    assertThat(aps.getJsonObject("alert").getString("body")).isEqualTo("Your Acme code is 482913");
    assertThat(aps.getString("category")).isEqualTo(ApnsPushSender.CATEGORY_CODE);
    assertThat(got.payload().getString("verification_id")).isEqualTo(m.verificationId());
    assertThat(got.payload().getString("mode")).isEqualTo("code");
    assertThat(got.payload().getString("code")).isEqualTo("482913");
    assertThat(got.payload().getString("number_matching")).isEqualTo("false");
  }

  @Test
  void anApprovePushCarriesNoCode() {
    String token = apns.newDeviceToken();
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    JsonObject payload = apns.receivedBy(token).getFirst().payload();
    assertThat(payload.containsKey("code")).isFalse();
    assertThat(payload.getString("number_matching")).isEqualTo("true");
    assertThat(payload.getJsonObject("aps").getString("category")).isEqualTo(ApnsPushSender.CATEGORY_APPROVE);
  }

  @Test
  void aWithdrawalReplacesTheNotificationQuietly() {
    String token = apns.newDeviceToken();
    PushMessage m = new PushMessage(PushMessage.Kind.WITHDRAW, "acme", "VE" + "c".repeat(32), "DV" + "d".repeat(32),
        "apns", token, "withdraw", "Acme", "Answered on another device.", null, false, Instant.now().plusSeconds(600));
    assertThat(sender.send(m)).isInstanceOf(PushOutcome.Accepted.class);
    FakeApns.Received got = apns.receivedBy(token).getFirst();
    assertThat(got.collapseId()).isEqualTo(m.verificationId());
    JsonObject aps = got.payload().getJsonObject("aps");
    assertThat(aps.getInteger("content-available")).isEqualTo(1);
    assertThat(aps.containsKey("sound")).isFalse();
    assertThat(aps.getString("category")).isEqualTo(ApnsPushSender.CATEGORY_WITHDRAWN);
    assertThat(got.payload().getString("mode")).isEqualTo("withdraw");
  }

  @Test
  void anUnregisteredTokenIsDead() {
    String token = apns.newDeviceToken();
    apns.markUnregistered(token);
    PushOutcome outcome = sender.send(message(token, "approve", null));
    assertThat(outcome).isEqualTo(new PushOutcome.DeadToken("Unregistered",
        "APNs: the device token is no longer active for the topic"));
  }

  @Test
  void busyAndUnavailableAreRetryable() {
    String token = apns.newDeviceToken();
    apns.failNext(token, 1, RejectionReason.TOO_MANY_REQUESTS);
    apns.failNext(token, 1, RejectionReason.SERVICE_UNAVAILABLE);
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Retryable.class);
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Retryable.class);
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    assertThat(apns.attemptsFor(token)).extracting(FakeApns.Attempt::answer)
        .containsExactly("TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE", "accepted");
  }

  @Test
  void aTokenForAnotherTopicIsDeadOnlyOnceTheTopicIsProven() {
    // Before any push was accepted, DeviceTokenNotForTopic may mean APNS_TOPIC is wrong: not a dead token.
    try (FakeApns fresh = FakeApns.start(TOPIC); ApnsPushSender unproven = new ApnsPushSender(config(fresh, TOPIC))) {
      String foreign = "f".repeat(64); // well formed, never registered for the topic
      PushOutcome before = unproven.send(message(foreign, "approve", null));
      assertThat(before).isInstanceOf(PushOutcome.Permanent.class);
      assertThat(((PushOutcome.Permanent) before).errorCode()).isEqualTo("DeviceTokenNotForTopic");
      assertThat(unproven.send(message(fresh.newDeviceToken(), "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
      assertThat(unproven.send(message(foreign, "approve", null)))
          .isEqualTo(new PushOutcome.DeadToken("DeviceTokenNotForTopic", "APNs refused this device token for the topic"));
    }
  }

  @Test
  void aWrongTopicIsPermanentNotATokenProblem() {
    try (ApnsPushSender wrong = new ApnsPushSender(config(apns, "dev.otpflow.other"))) {
      PushOutcome outcome = wrong.send(message(apns.newDeviceToken(), "approve", null));
      assertThat(outcome).isInstanceOf(PushOutcome.Permanent.class);
    }
  }

  @Test
  void aServerThatIsNotThereIsRetryable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ApnsConfig c = config(apns, TOPIC);
    ApnsConfig nowhere = new ApnsConfig(c.keyFile(), c.keyId(), c.teamId(), c.topic(), c.environment(), "127.0.0.1",
        closedPort, c.trustedCertificate(), Duration.ofSeconds(1), Duration.ofSeconds(2));
    try (ApnsPushSender unreachable = new ApnsPushSender(nowhere)) {
      assertThat(unreachable.send(message(apns.newDeviceToken(), "approve", null))).isInstanceOf(PushOutcome.Retryable.class);
    }
  }
}
