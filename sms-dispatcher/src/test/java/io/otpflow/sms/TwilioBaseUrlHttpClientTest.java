package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TwilioBaseUrlHttpClientTest {

  private static final String MESSAGES =
      "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json";

  @Test
  void swapsSchemeHostAndPort() throws Exception {
    assertThat(TwilioBaseUrlHttpClient.rebase(URI.create("http://127.0.0.1:8089"), new URL(MESSAGES)))
        .isEqualTo("http://127.0.0.1:8089/2010-04-01/Accounts/AC0123/Messages.json");
  }

  @Test
  void keepsAPathPrefixAndDropsTheQuery() throws Exception {
    assertThat(TwilioBaseUrlHttpClient.rebase(
            URI.create("https://egress.example.com/twilio/"), new URL(MESSAGES + "?PageSize=20")))
        .isEqualTo("https://egress.example.com/twilio/2010-04-01/Accounts/AC0123/Messages.json");
  }

  @Test
  void hostsTheSdkWouldMangleSurvive() throws Exception {
    // The SDK's own URL builder turns "twilio.test" into "twilio.twilio.test".
    assertThat(TwilioBaseUrlHttpClient.rebase(URI.create("http://twilio.test:81"), new URL(MESSAGES)))
        .startsWith("http://twilio.test:81/2010-04-01/");
  }

  @Test
  void exposesItsSettings() {
    try (var client = new TwilioBaseUrlHttpClient(
        URI.create("http://127.0.0.1:1"), Duration.ofSeconds(1), Duration.ofSeconds(2))) {
      assertThat(client.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:1"));
      assertThat(client.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
      assertThat(client.readTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(client.lastResponse()).isEmpty();
    }
  }
}
