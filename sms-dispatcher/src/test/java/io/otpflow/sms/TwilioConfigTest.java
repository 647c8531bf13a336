package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioConfigTest {

  private static final String SID = "AC" + "0123456789abcdef".repeat(2);
  private static final String TOKEN = "s3cr3t-auth-token";

  @Test
  void defaultsApplyAndTokenIsHidden() {
    TwilioConfig c = TwilioConfig.withFrom(SID, TOKEN, "+15005550006");

    assertThat(c.apiBaseUrl()).isEqualTo(URI.create("https://api.twilio.com"));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.toString()).doesNotContain(TOKEN).contains("<hidden>").contains(SID);
  }

  @Test
  void fromEnvReadsEveryVariable() {
    TwilioConfig c = TwilioConfig.fromEnv(Map.of(
        "TWILIO_ACCOUNT_SID", SID,
        "TWILIO_AUTH_TOKEN", TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID", "MG" + "a".repeat(32),
        "TWILIO_FROM_NUMBER", " ",
        "TWILIO_API_BASE_URL", "http://twilio-proxy.internal:8080/twilio",
        "TWILIO_READ_TIMEOUT", "3s"));

    assertThat(c.accountSid()).isEqualTo(SID);
    assertThat(c.authToken()).isEqualTo(TOKEN);
    assertThat(c.from()).isNull();
    assertThat(c.messagingServiceSid()).isEqualTo("MG" + "a".repeat(32));
    assertThat(c.apiBaseUrl()).isEqualTo(URI.create("http://twilio-proxy.internal:8080/twilio"));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(TwilioConfig.isConfigured(Map.of("TWILIO_ACCOUNT_SID", SID))).isTrue();
    assertThat(TwilioConfig.isConfigured(Map.of())).isFalse();
  }

  @Test
  void rejectsBadAccountSidAndMissingToken() {
    assertThatThrownBy(() -> TwilioConfig.withFrom("XX123", TOKEN, "+15005550006"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TWILIO_ACCOUNT_SID");
    assertThatThrownBy(() -> TwilioConfig.withFrom(null, TOKEN, "+15005550006"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TwilioConfig.withFrom(SID, "  ", "+15005550006"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TWILIO_AUTH_TOKEN");
  }

  @Test
  void requiresExactlyOneSender() {
    assertThatThrownBy(() -> new TwilioConfig(SID, TOKEN, null, null, null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither");
    assertThatThrownBy(() -> new TwilioConfig(SID, TOKEN, "+15005550006", "MG" + "a".repeat(32), null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
    assertThatThrownBy(() -> new TwilioConfig(SID, TOKEN, null, "XX" + "a".repeat(32), null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MG");
  }

  @Test
  void rejectsUnusableBaseUrlsAndTimeouts() {
    assertThatThrownBy(() -> TwilioConfig.withFrom(SID, TOKEN, "+1500").withApiBaseUrl(URI.create("ftp://x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TWILIO_API_BASE_URL");
    assertThatThrownBy(() -> TwilioConfig.withFrom(SID, TOKEN, "+1500").withApiBaseUrl(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TwilioConfig.fromEnv(Map.of(
            "TWILIO_ACCOUNT_SID", SID, "TWILIO_AUTH_TOKEN", TOKEN, "TWILIO_FROM_NUMBER", "+1500",
            "TWILIO_API_BASE_URL", "http://bad host")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TWILIO_API_BASE_URL");
    assertThatThrownBy(() -> TwilioConfig.withFrom(SID, TOKEN, "+1500").withTimeouts(Duration.ZERO, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TwilioConfig.withFrom(SID, TOKEN, "+1500").withTimeouts(null, Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
