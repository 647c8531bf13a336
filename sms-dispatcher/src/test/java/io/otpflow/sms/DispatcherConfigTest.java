package io.otpflow.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherConfigTest {
  private static Map<String, String> twilioEnv() {
    Map<String, String> env = new HashMap<>();
    env.put(PlatformKeys.DISPATCH_KEYS, "d1:ZGlzcGF0Y2gta2V5LTAxMjM0NTY3ODlhYmNkZWZnaGk=");
    env.put("SMS_PROVIDER", "twilio");
    env.put("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef");
    env.put("TWILIO_AUTH_TOKEN", "secret-token");
    env.put("TWILIO_FROM_NUMBER", "+15005550006");
    return env;
  }

  @Test
  void theLeaseDefaultsToThirtySeconds() {
    assertThat(DispatcherConfig.fromEnv(new Env(twilioEnv())).lease()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aLeaseThatCouldRunOutDuringAProviderCallIsRefused() {
    Map<String, String> env = twilioEnv();
    env.put("TWILIO_READ_TIMEOUT", "20s");
    env.put("OTPFLOW_SMS_LEASE", "25s"); // 5 s connect + 20 s read = 25 s: not longer
    assertThatThrownBy(() -> DispatcherConfig.fromEnv(new Env(env)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OTPFLOW_SMS_LEASE");
    env.put("OTPFLOW_SMS_LEASE", "26s");
    assertThat(DispatcherConfig.fromEnv(new Env(env)).lease()).isEqualTo(Duration.ofSeconds(26));
  }
}
