package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.twilio.security.RequestValidator;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.FakeTwilio.ReceivedSms;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FakeTwilio's delivery receipts: sent to the StatusCallback the sender gave, with the parameters
 * Twilio sends and an X-Twilio-Signature that the Twilio SDK's own {@link RequestValidator} accepts.
 */
class TwilioStatusCallbackTest {

  /** One callback as the receiving endpoint saw it. */
  private record Received(String path, String signature, String contentType, Map<String, String> params) {}

  private FakeTwilio twilio;
  private HttpServer receiver;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws IOException {
    twilio = FakeTwilio.start();
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", exchange -> {
      String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(
          exchange.getRequestURI().toString(),
          exchange.getRequestHeaders().getFirst("X-Twilio-Signature"),
          exchange.getRequestHeaders().getFirst("Content-Type"),
          parseForm(form)));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    twilio.close();
  }

  @Test
  void deliveryReceiptIsSignedSoTwilioRequestValidatorAcceptsIt() throws Exception {
    String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/twilio/status?tenant=acme";
    ReceivedSms sms = sendThroughSender(callback);

    int status = twilio.sendStatusCallback(sms, "delivered", null).get(10, TimeUnit.SECONDS);

    assertThat(status).isEqualTo(204);
    Received got = received.poll(5, TimeUnit.SECONDS);
    assertThat(got).isNotNull();
    assertThat(got.path()).isEqualTo("/webhooks/twilio/status?tenant=acme");
    assertThat(got.contentType()).startsWith("application/x-www-form-urlencoded");
    assertThat(got.params())
        .containsEntry("MessageSid", sms.sid())
        .containsEntry("SmsSid", sms.sid())
        .containsEntry("MessageStatus", "delivered")
        .containsEntry("SmsStatus", "delivered")
        .containsEntry("AccountSid", twilio.accountSid())
        .containsEntry("To", sms.to())
        .containsEntry("From", sms.from())
        .containsEntry("ApiVersion", "2010-04-01")
        .doesNotContainKey("ErrorCode");
    assertThat(new RequestValidator(twilio.authToken()).validate(callback, got.params(), got.signature()))
        .isTrue();
    assertThat(new RequestValidator("some-other-token").validate(callback, got.params(), got.signature()))
        .isFalse();
  }

  @Test
  void undeliveredReceiptCarriesTheErrorCodeAndIsSigned() throws Exception {
    String callback = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/status";
    ReceivedSms sms = sendThroughSender(callback);

    twilio.sendStatusCallback(sms, "undelivered", "30003").get(10, TimeUnit.SECONDS);

    Received got = received.poll(5, TimeUnit.SECONDS);
    assertThat(got.params()).containsEntry("MessageStatus", "undelivered").containsEntry("ErrorCode", "30003");
    assertThat(new RequestValidator(twilio.authToken()).validate(callback, got.params(), got.signature()))
        .isTrue();
    // Tampering with any parameter breaks the signature.
    Map<String, String> tampered = new LinkedHashMap<>(got.params());
    tampered.put("MessageStatus", "delivered");
    assertThat(new RequestValidator(twilio.authToken()).validate(callback, tampered, got.signature()))
        .isFalse();
  }

  @Test
  void signatureHelperMatchesTheSdkValidator() {
    Map<String, String> params = Map.of("b", "2", "a", "1 & ü", "MessageSid", "SM" + "0".repeat(32));
    String url = "https://otp.example.com/hooks/twilio?x=y";

    String signature = FakeTwilio.signature("token-123", url, params);

    assertThat(new RequestValidator("token-123").validate(url, params, signature)).isTrue();
  }

  @Test
  void messageWithoutCallbackCannotGetAReceipt() {
    ReceivedSms sms = sendThroughSender(null);

    assertThat(twilio.sendStatusCallback(sms, "delivered", null)).isCompletedExceptionally();
  }

  private ReceivedSms sendThroughSender(String callback) {
    TwilioConfig cfg = new TwilioConfig(
        twilio.accountSid(), twilio.authToken(), "+15005550006", null,
        URI.create(twilio.baseUrl()), null, null);
    try (TwilioSmsSender sender = new TwilioSmsSender(cfg)) {
      SmsMessage m = new SmsMessage("v-1", "+14155550171", null, null, "code 123456",
          Duration.ofMinutes(5), callback == null ? null : URI.create(callback));
      assertThat(sender.send(m)).isInstanceOf(SendOutcome.Accepted.class);
    }
    return twilio.lastMessage().orElseThrow();
  }

  private static Map<String, String> parseForm(String form) {
    Map<String, String> params = new LinkedHashMap<>();
    if (form.isEmpty()) {
      return params;
    }
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(k, v);
    }
    return params;
  }
}
