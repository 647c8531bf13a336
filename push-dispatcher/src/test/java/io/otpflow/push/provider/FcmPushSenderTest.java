package io.otpflow.push.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.testing.FakeFcm;
import io.otpflow.testing.MutableClock;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FcmPushSender} over real HTTP against {@link FakeFcm}: OAuth2 with a signed JWT, then the v1 send API. */
class FcmPushSenderTest {
  private static FakeFcm fcm;
  private final MutableClock clock = new MutableClock(Instant.now());
  private FcmPushSender sender;

  @BeforeAll
  static void startFcm() {
    fcm = FakeFcm.start("otpflow-test");
  }

  @AfterAll
  static void stopFcm() {
    fcm.close();
  }

  static FcmConfig config(FakeFcm fcm, String serviceAccountJson) {
    return new FcmConfig(FcmServiceAccount.parse(serviceAccountJson), null, URI.create(fcm.baseUrl()), null,
        Duration.ofSeconds(2), Duration.ofSeconds(3));
  }

  @BeforeEach
  void newSender() {
    fcm.reset();
    fcm.accessTokenLifetime(Duration.ofSeconds(3599));
    sender = new FcmPushSender(config(fcm, fcm.serviceAccountJson()), clock);
  }

  @AfterEach
  void closeSender() {
    sender.close();
  }

  private PushMessage message(String token, String mode, String code) {
    return new PushMessage(PushMessage.Kind.NOTIFY, "acme", "VE" + "a".repeat(32), "DV" + "b".repeat(32), "fcm", token,
        mode, "Acme", code != null ? "Your Acme code is " + code : "Approve sign-in to Acme?", code, false,
        clock.instant().plus(Duration.ofMinutes(5)));
  }

  @Test
  void aCodePushIsAV1NotificationMessageWithTheAppsData() {
    String token = fcm.newRegistrationToken();
    PushMessage m = message(token, "code", "482913");
    PushOutcome outcome = sender.send(m);

    assertThat(outcome).isInstanceOf(PushOutcome.Accepted.class);
    FakeFcm.ReceivedMessage got = fcm.messagesTo(token).getFirst();
    assertThat(((PushOutcome.Accepted) outcome).providerMessageId()).isEqualTo(got.name());
    JsonObject message = got.message();
    assertThat(message.getJsonObject("notification").getString("title")).isEqualTo("Acme");
    assertThat(message.getJsonObject("notification").getString("body")).isEqualTo("Your Acme code is 482913");
    assertThat(message.getJsonObject("data").getString("code")).isEqualTo("482913");
    assertThat(message.getJsonObject("data").getString("verification_id")).isEqualTo(m.verificationId());
    JsonObject android = message.getJsonObject("android");
    assertThat(android.getString("priority")).isEqualTo("HIGH");
    assertThat(android.getString("ttl")).isEqualTo("300s");
    assertThat(android.getString("collapse_key")).isEqualTo(m.verificationId());
    assertThat(android.getJsonObject("notification").getString("tag")).isEqualTo(m.verificationId());
    assertThat(message.getJsonObject("apns").getJsonObject("headers").getString("apns-collapse-id"))
        .isEqualTo(m.verificationId());
  }

  @Test
  void oneAccessTokenServesManyPushesUntilItNearlyExpires() {
    // A 400 s token is refreshed at half its life (the usual hour-long one five minutes before it ends); the
    // clock moves less than the fake's 300 s allowance for the assertion's iat, which the fake checks by real time.
    fcm.accessTokenLifetime(Duration.ofSeconds(400));
    int before = fcm.tokenRequests();
    for (int i = 0; i < 3; i++) {
      assertThat(sender.send(message(fcm.newRegistrationToken(), "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    }
    clock.advance(Duration.ofSeconds(150));
    assertThat(sender.send(message(fcm.newRegistrationToken(), "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    assertThat(fcm.tokenRequests() - before).isEqualTo(1);
    clock.advance(Duration.ofSeconds(100));
    assertThat(sender.send(message(fcm.newRegistrationToken(), "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    assertThat(fcm.tokenRequests() - before).isEqualTo(2);
  }

  @Test
  void aRefusedAccessTokenIsDroppedAndTheNextAttemptFetchesANewOne() {
    String token = fcm.newRegistrationToken();
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
    fcm.revokeAccessTokens();
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Retryable.class);
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
  }

  @Test
  void anAssertionSignedWithAnotherKeyIsRefusedForGood() {
    try (FcmPushSender forged = new FcmPushSender(config(fcm, fcm.serviceAccountJsonWithForeignKey()), clock)) {
      PushOutcome outcome = forged.send(message(fcm.newRegistrationToken(), "approve", null));
      assertThat(outcome).isInstanceOf(PushOutcome.Permanent.class);
      assertThat(((PushOutcome.Permanent) outcome).errorCode()).isEqualTo("oauth2-invalid_grant");
      assertThat(fcm.messages()).isEmpty();
    }
  }

  @Test
  void unregisteredAndInvalidTokensAreDead() {
    String gone = fcm.newRegistrationToken();
    String garbage = fcm.newRegistrationToken();
    fcm.markUnregistered(gone);
    fcm.markInvalid(garbage);
    assertThat(sender.send(message(gone, "approve", null)))
        .isEqualTo(new PushOutcome.DeadToken("UNREGISTERED", "FCM: the app instance was unregistered"));
    assertThat(sender.send(message(garbage, "approve", null)))
        .isEqualTo(new PushOutcome.DeadToken("INVALID_ARGUMENT", "FCM: not a valid registration token"));
  }

  @Test
  void quotaAndUnavailableAreRetryableWithTheirRetryAfter() {
    String token = fcm.newRegistrationToken();
    fcm.failNext(token, 1, 429, 7);
    fcm.failNext(token, 1, 503, null);
    assertThat(sender.send(message(token, "approve", null))).isEqualTo(
        new PushOutcome.Retryable("FCM answered 429 QUOTA_EXCEEDED", Duration.ofSeconds(7)));
    assertThat(sender.send(message(token, "approve", null))).isEqualTo(
        new PushOutcome.Retryable("FCM answered 503 UNAVAILABLE", null));
    assertThat(sender.send(message(token, "approve", null))).isInstanceOf(PushOutcome.Accepted.class);
  }

  @Test
  void aWrongProjectIsPermanentNotADeadToken() {
    FcmConfig right = config(fcm, fcm.serviceAccountJson());
    FcmConfig wrong = new FcmConfig(right.account(), "someone-elses", right.apiBaseUrl(), right.tokenUrl(),
        right.connectTimeout(), right.requestTimeout());
    try (FcmPushSender misconfigured = new FcmPushSender(wrong, clock)) {
      PushOutcome outcome = misconfigured.send(message(fcm.newRegistrationToken(), "approve", null));
      assertThat(outcome).isInstanceOf(PushOutcome.Permanent.class);
      assertThat(((PushOutcome.Permanent) outcome).errorCode()).isEqualTo("PERMISSION_DENIED");
    }
  }

  @Test
  void aWithdrawalIsADataMessageUnderTheSameCollapseKey() {
    String token = fcm.newRegistrationToken();
    PushMessage m = new PushMessage(PushMessage.Kind.WITHDRAW, "acme", "VE" + "c".repeat(32), "DV" + "d".repeat(32),
        "fcm", token, "withdraw", "Acme", "Answered on another device.", null, false, clock.instant().plusSeconds(600));
    assertThat(sender.send(m)).isInstanceOf(PushOutcome.Accepted.class);
    JsonObject message = fcm.messagesTo(token).getFirst().message();
    assertThat(message.containsKey("notification")).isFalse();
    assertThat(message.getJsonObject("data").getString("mode")).isEqualTo("withdraw");
    assertThat(message.getJsonObject("android").getString("collapse_key")).isEqualTo(m.verificationId());
    assertThat(message.getJsonObject("apns").getJsonObject("headers").getString("apns-push-type")).isEqualTo("background");
  }

  @Test
  void anUnreachableServerIsRetryable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FcmConfig right = config(fcm, fcm.serviceAccountJson());
    FcmConfig nowhere = new FcmConfig(right.account(), null, URI.create("http://127.0.0.1:" + closedPort),
        right.tokenUrl(), right.connectTimeout(), right.requestTimeout());
    try (FcmPushSender unreachable = new FcmPushSender(nowhere, clock)) {
      assertThat(unreachable.send(message(fcm.newRegistrationToken(), "approve", null)))
          .isInstanceOf(PushOutcome.Retryable.class);
    }
  }
}
