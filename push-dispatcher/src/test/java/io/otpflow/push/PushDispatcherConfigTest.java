package io.otpflow.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.testing.FakeApns;
import io.otpflow.testing.FakeFcm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushDispatcherConfigTest {
  @TempDir
  static Path dir;
  static FakeApns apns;
  static FakeFcm fcm;
  static Path credentials;

  @BeforeAll
  static void keys() throws Exception {
    apns = FakeApns.start("dev.otpflow.authenticator");
    fcm = FakeFcm.start("otpflow-test");
    credentials = dir.resolve("sa.json");
    Files.writeString(credentials, fcm.serviceAccountJson());
  }

  @AfterAll
  static void stop() {
    apns.close();
    fcm.close();
  }

  private static Map<String, String> base() {
    Map<String, String> env = new HashMap<>();
    env.put(PlatformKeys.DISPATCH_KEYS, "d1:" + Base64.getEncoder().encodeToString(new byte[32]));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + Base64.getEncoder().encodeToString(new byte[32]));
    return env;
  }

  private static Map<String, String> live() {
    Map<String, String> env = base();
    env.put("PUSH_PROVIDER", "apns, fcm");
    env.put("APNS_KEY_FILE", apns.signingKeyFile().toString());
    env.put("APNS_KEY_ID", FakeApns.KEY_ID);
    env.put("APNS_TEAM_ID", FakeApns.TEAM_ID);
    env.put("APNS_TOPIC", "dev.otpflow.authenticator");
    env.put("FCM_CREDENTIALS_FILE", credentials.toString());
    return env;
  }

  @Test
  void theDefaultIsTheOutboxOnPort8084() {
    PushDispatcherConfig c = PushDispatcherConfig.fromEnv(new Env(base()));
    assertThat(c.providers()).containsExactly("outbox");
    assertThat(c.httpPort()).isEqualTo(8084);
    assertThat(c.apns()).isNull();
    assertThat(c.fcm()).isNull();
  }

  @Test
  void liveProvidersReadTheirSettingsWithProductionDefaults() {
    PushDispatcherConfig c = PushDispatcherConfig.fromEnv(new Env(live()));
    assertThat(c.providers()).containsExactlyInAnyOrder("apns", "fcm");
    assertThat(c.apns().effectiveHost()).isEqualTo("api.push.apple.com");
    assertThat(c.apns().effectivePort()).isEqualTo(443);
    assertThat(c.fcm().projectId()).isEqualTo("otpflow-test");
    assertThat(c.fcm().sendUrl()).hasToString("https://fcm.googleapis.com/v1/projects/otpflow-test/messages:send");
    assertThat(c.fcm().tokenUrl()).hasToString(fcm.tokenUrl());
  }

  @Test
  void theDescriptionHidesKeysAndCredentials() throws Exception {
    PushDispatcherConfig c = PushDispatcherConfig.fromEnv(new Env(live()));
    String text = c.toString();
    String serviceAccount = Files.readString(credentials);
    String privateKeyLine = serviceAccount.lines().filter(l -> l.contains("private_key\"")).findFirst().orElseThrow();
    assertThat(text).contains("key=<hidden>").contains("keys=<hidden>");
    assertThat(text).doesNotContain(Files.readString(apns.signingKeyFile()).lines().skip(1).findFirst().orElseThrow());
    assertThat(text).doesNotContain(privateKeyLine.substring(privateKeyLine.indexOf("MII")).substring(0, 40));
  }

  @Test
  void badSettingsStopTheStartWithTheVariablesName() {
    Map<String, String> unknown = base();
    unknown.put("PUSH_PROVIDER", "pigeon");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(unknown))).hasMessageContaining("PUSH_PROVIDER");
    Map<String, String> mixed = base();
    mixed.put("PUSH_PROVIDER", "outbox,apns");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(mixed))).hasMessageContaining("PUSH_PROVIDER");
    Map<String, String> noKey = live();
    noKey.remove("APNS_KEY_FILE");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(noKey))).hasMessageContaining("APNS_KEY_FILE");
    Map<String, String> notAKey = live();
    notAKey.put("APNS_KEY_FILE", credentials.toString());
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(notAKey))).hasMessageContaining("APNS_KEY_FILE");
    Map<String, String> badTeam = live();
    badTeam.put("APNS_TEAM_ID", "team");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(badTeam))).hasMessageContaining("APNS_TEAM_ID");
    Map<String, String> badEnvironment = live();
    badEnvironment.put("APNS_ENVIRONMENT", "staging");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(badEnvironment))).hasMessageContaining("APNS_ENVIRONMENT");
    Map<String, String> notCredentials = live();
    notCredentials.put("FCM_CREDENTIALS_FILE", apns.signingKeyFile().toString());
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(notCredentials)))
        .hasMessageContaining("FCM_CREDENTIALS_FILE");
    Map<String, String> badUrl = live();
    badUrl.put("FCM_API_BASE_URL", "ftp://fcm.example");
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(badUrl))).hasMessageContaining("FCM_API_BASE_URL");
    Map<String, String> noAddressKeys = base();
    noAddressKeys.remove(PlatformKeys.ADDRESS_KEYS);
    assertThatThrownBy(() -> PushDispatcherConfig.fromEnv(new Env(noAddressKeys))).hasMessageContaining("OTPFLOW_ADDRESS_KEYS");
  }
}
