package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.FakeTwilio.ReceivedSms;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TwilioSmsSender} with the real Twilio SDK against {@link FakeTwilio} over real HTTP. */
class TwilioSmsSenderTest {

  private static final String FROM = "+15005550006";
  private static final String TO = "+14155550171";
  private static final String BODY = "Your otpflow code is 482913. It expires in 5 minutes.";

  private static FakeTwilio twilio;
  private static TwilioSmsSender sender;

  @BeforeAll
  static void start() {
    twilio = FakeTwilio.start();
    sender = new TwilioSmsSender(config(twilio.authToken()));
  }

  @AfterAll
  static void stop() {
    sender.close();
    twilio.close();
  }

  @BeforeEach
  void reset() {
    twilio.reset();
  }

  private static TwilioConfig config(String authToken) {
    return new TwilioConfig(
        twilio.accountSid(),
        authToken,
        FROM,
        null,
        URI.create(twilio.baseUrl()),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5));
  }

  private static SmsMessage message(String to, Duration validity, URI callback) {
    return new SmsMessage(UUID.randomUUID().toString(), to, null, null, BODY, validity, callback);
  }

  private static SmsMessage message() {
    return message(TO, Duration.ofMinutes(5), URI.create("https://otp.example.com/twilio/status?tenant=acme"));
  }

  @Test
  void providerIsTwilio() {
    assertThat(sender.provider()).isEqualTo("twilio");
  }

  @Test
  void acceptedMessageArrivesWithTheRightFields() {
    SendOutcome outcome = sender.send(message());

    assertThat(twilio.messages()).hasSize(1);
    ReceivedSms sms = twilio.messages().get(0);
    assertThat(outcome).isEqualTo(new SendOutcome.Accepted(sms.sid()));
    assertThat(sms.sid()).matches("SM[0-9a-f]{32}");
    assertThat(sms.to()).isEqualTo(TO);
    assertThat(sms.from()).isEqualTo(FROM);
    assertThat(sms.messagingServiceSid()).isNull();
    assertThat(sms.body()).isEqualTo(BODY);
    assertThat(sms.statusCallback()).isEqualTo("https://otp.example.com/twilio/status?tenant=acme");
    assertThat(sms.validityPeriod()).isEqualTo(300);
    assertThat(sms.accountSid()).isEqualTo(twilio.accountSid());
    assertThat(twilio.requestCount()).isEqualTo(1);
  }

  @Test
  void messageWithoutCallbackOrValiditySendsNeither() {
    SendOutcome outcome = sender.send(message(TO, null, null));

    assertThat(outcome).isInstanceOf(SendOutcome.Accepted.class);
    ReceivedSms sms = twilio.lastMessage().orElseThrow();
    assertThat(sms.params()).containsOnlyKeys("To", "From", "Body");
  }

  @Test
  void messagingServiceIsSentInsteadOfFrom() {
    String service = "MG" + "a".repeat(32);
    TwilioConfig cfg =
        new TwilioConfig(
            twilio.accountSid(), twilio.authToken(), null, service, URI.create(twilio.baseUrl()), null, null);
    try (TwilioSmsSender viaService = new TwilioSmsSender(cfg)) {
      SendOutcome outcome = viaService.send(message());

      assertThat(outcome).isInstanceOf(SendOutcome.Accepted.class);
      ReceivedSms sms = twilio.lastMessage().orElseThrow();
      assertThat(sms.messagingServiceSid()).isEqualTo(service);
      assertThat(sms.from()).isNull();
      assertThat(sms.params()).doesNotContainKey("From");
    }
  }

  @Test
  void senderOnTheMessageWinsOverTheConfiguredOne() {
    SmsMessage m = new SmsMessage("v-1", TO, "OTPFLOW", null, BODY, null, null);

    assertThat(sender.send(m)).isInstanceOf(SendOutcome.Accepted.class);
    assertThat(twilio.lastMessage().orElseThrow().from()).isEqualTo("OTPFLOW");
  }

  @Test
  void validityIsClampedToTwilioRange() {
    sender.send(message(TO, Duration.ofHours(20), null));
    sender.send(message(TO, Duration.ofMillis(200), null));
    sender.send(message(TO, Duration.ofMillis(90_500), null));

    assertThat(twilio.messages())
        .extracting(ReceivedSms::validityPeriod)
        .containsExactly(36_000, 1, 91);
  }

  @Test
  void tooManyRequestsWithRetryAfterIsRetryableWithThatDelay() {
    twilio.failNext(1, 429, 20429, 7);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Retryable.class, r -> {
      assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7));
      assertThat(r.reason()).contains("429").contains("20429");
    });
    // Neither the SDK nor Apache's client replayed the POST behind our back.
    assertThat(twilio.requestCount()).isEqualTo(1);
    assertThat(twilio.messages()).isEmpty();
  }

  @Test
  void serverErrorIsRetryableAndNotReplayedBySdk() {
    twilio.failNext(1, 500, null, null);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Retryable.class, r -> {
      assertThat(r.retryAfter()).isNull();
      assertThat(r.reason()).contains("500");
    });
    // The SDK's own reliableRequest would have made 3 attempts on a 5xx.
    assertThat(twilio.requestCount()).isEqualTo(1);
  }

  @Test
  void serviceUnavailableWithTwilioBodyAndRetryAfterIsRetryable() {
    twilio.failNext(1, 503, 20503, 30);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isEqualTo(
        new SendOutcome.Retryable("HTTP 503 (Twilio 20503): Service Unavailable", Duration.ofSeconds(30)));
  }

  @Test
  void nextSendAfterAFailureGoesThrough() {
    twilio.failNext(1, 500, 20500, null);

    assertThat(sender.send(message())).isInstanceOf(SendOutcome.Retryable.class);
    assertThat(sender.send(message())).isInstanceOf(SendOutcome.Accepted.class);
    assertThat(twilio.requestCount()).isEqualTo(2);
  }

  @Test
  void invalidToIsPermanentWithTwilioCode() {
    SendOutcome outcome = sender.send(message("0800-not-a-number", Duration.ofMinutes(5), null));

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Permanent.class, p -> {
      assertThat(p.errorCode()).isEqualTo("21211");
      assertThat(p.reason()).contains("is not a valid phone number");
    });
    assertThat(twilio.messages()).isEmpty();
  }

  @Test
  void scriptedInvalidNumberIsPermanentAndMasksTheNumber() {
    twilio.failNext(1, 400, 21211, null);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Permanent.class, p -> {
      assertThat(p.errorCode()).isEqualTo("21211");
      assertThat(p.reason()).doesNotContain(TO).contains("+141").contains("is not a valid phone number");
    });
  }

  @Test
  void unsubscribedRecipientIsPermanent() {
    twilio.failNext(1, 400, 21610, null);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isEqualTo(
        new SendOutcome.Permanent("21610", "Attempt to send to unsubscribed recipient"));
  }

  @Test
  void otherClientErrorWithoutTwilioBodyIsPermanentWithHttpStatus() {
    twilio.failNext(1, 403, null, null);

    SendOutcome outcome = sender.send(message());

    assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Permanent.class, p ->
        assertThat(p.errorCode()).isEqualTo("HTTP_403"));
  }

  @Test
  void wrongCredentialsArePermanent() {
    try (TwilioSmsSender wrong = new TwilioSmsSender(config("not-the-token"))) {
      SendOutcome outcome = wrong.send(message());

      assertThat(outcome).isEqualTo(new SendOutcome.Permanent("20003", "Authenticate"));
      assertThat(twilio.messages()).isEmpty();
    }
  }

  @Test
  void serverThatNeverAnswersIsRetryableWithinTheReadTimeout() throws Exception {
    // The kernel completes the TCP handshake from the backlog; nobody ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TwilioSmsSender s = senderAt("http://127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(400))) {
      long start = System.nanoTime();

      SendOutcome outcome = s.send(message());

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Retryable.class, r -> {
        assertThat(r.reason()).contains("timeout");
        assertThat(r.retryAfter()).isNull();
      });
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(350)).isLessThan(Duration.ofSeconds(4));
    }
  }

  @Test
  void connectTimeoutIsOursNotTheSdks() throws Exception {
    // A listening socket whose accept queue is full: Linux drops further SYNs, so connecting hangs
    // until the connect timeout. The SDK pins a 30.5 s connect timeout on every request unless
    // TwilioBaseUrlHttpClient puts its own back.
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      boolean saturated = false;
      try {
        for (int i = 0; i < 10 && !saturated; i++) {
          Socket filler = new Socket();
          try {
            filler.connect(full.getLocalSocketAddress(), 200);
            fillers.add(filler);
          } catch (SocketTimeoutException e) {
            filler.close();
            saturated = true;
          }
        }
        assumeTrue(saturated, "this platform does not drop SYNs on a full accept queue");
        TwilioConfig cfg = new TwilioConfig(
            twilio.accountSid(), twilio.authToken(), FROM, null,
            URI.create("http://127.0.0.1:" + full.getLocalPort()), Duration.ofMillis(500), Duration.ofSeconds(5));
        try (TwilioSmsSender s = new TwilioSmsSender(cfg)) {
          long start = System.nanoTime();

          SendOutcome outcome = s.send(message());

          assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Retryable.class, r ->
              assertThat(r.reason()).contains("timeout"));
          assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
      } finally {
        for (Socket filler : fillers) {
          filler.close();
        }
      }
    }
  }

  @Test
  void slowTwilioIsRetryableWithinTheReadTimeout() {
    twilio.latency(Duration.ofSeconds(3));
    try (TwilioSmsSender s = senderAt(twilio.baseUrl(), Duration.ofMillis(300))) {
      long start = System.nanoTime();

      SendOutcome outcome = s.send(message());

      assertThat(outcome).isInstanceOf(SendOutcome.Retryable.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void connectionRefusedIsRetryable() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    try (TwilioSmsSender s = senderAt("http://127.0.0.1:" + port, Duration.ofSeconds(2))) {
      SendOutcome outcome = s.send(message());

      assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Retryable.class, r ->
          assertThat(r.reason()).contains("connection failed"));
    }
  }

  @Test
  void reasonsNeverCarryTheCodeOrAFullNumber() {
    SmsMessage m = message();
    String reason = TwilioSmsSender.scrub(
        "Message '" + BODY + "' to " + TO + " refused; code 482913 seen", m);

    assertThat(reason).doesNotContain("482913").doesNotContain(BODY).doesNotContain(TO).contains("+141");
  }

  @Test
  void shortBodiesAreNotScrubbedInsideWords() {
    SmsMessage tiny = new SmsMessage("v", TO, null, null, "x", null, null);

    assertThat(TwilioSmsSender.scrub("ConnectTimeoutException", tiny)).isEqualTo("ConnectTimeoutException");
  }

  @Test
  void retryAfterAcceptsSecondsAndDatesAndIsBounded() {
    assertThat(TwilioSmsSender.parseRetryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(TwilioSmsSender.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    assertThat(TwilioSmsSender.parseRetryAfter("-5")).isEqualTo(Duration.ZERO);
    assertThat(TwilioSmsSender.parseRetryAfter("999999")).isEqualTo(TwilioSmsSender.MAX_RETRY_AFTER);
    assertThat(TwilioSmsSender.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    String inAMinute = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    assertThat(TwilioSmsSender.parseRetryAfter(inAMinute)).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    assertThat(TwilioSmsSender.parseRetryAfter("soon")).isNull();
  }

  @Test
  void validityPeriodRounding() {
    assertThat(TwilioSmsSender.validityPeriodSeconds(Duration.ZERO)).isEqualTo(1);
    assertThat(TwilioSmsSender.validityPeriodSeconds(Duration.ofSeconds(-3))).isEqualTo(1);
    assertThat(TwilioSmsSender.validityPeriodSeconds(Duration.ofSeconds(300))).isEqualTo(300);
    assertThat(TwilioSmsSender.validityPeriodSeconds(Duration.ofDays(2))).isEqualTo(36_000);
  }

  private static TwilioSmsSender senderAt(String baseUrl, Duration readTimeout) {
    return new TwilioSmsSender(
        new TwilioConfig(
            twilio.accountSid(), twilio.authToken(), FROM, null, URI.create(baseUrl),
            Duration.ofSeconds(1), readTimeout));
  }
}
