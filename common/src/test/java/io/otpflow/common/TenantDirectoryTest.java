package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TenantDirectoryTest {
  private static final String ACME_KEY = "ak_live_7d1f0c9e2b4a4c8f9e1d3b5a7c9e1f3a";
  private static final String ACME_HASH = TenantDirectory.sha256(ACME_KEY);

  private static final String FULL =
      """
      [{
        "id": "acme-shop",
        "display_name": "Acme Shop",
        "api_key_sha256": "%s",
        "code_length": 8,
        "code_ttl": "10m",
        "max_checks": 3,
        "sms_template": "{name}: {code} is your code, valid {minutes} min.",
        "sender": "AcmeShop",
        "default_region": "DE",
        "limits": {
          "per_destination": 3,
          "destination_window": "15m",
          "min_interval": "45s",
          "per_account_per_hour": 10,
          "per_ip_per_hour": 30,
          "per_tenant_per_minute": 100
        },
        "lockout": {"threshold": 4, "base_delay": "2m", "max_delay": "PT2H"}
      }]
      """
          .formatted(ACME_HASH);

  @Test
  void parsesAFullTenant() {
    TenantDirectory directory = TenantDirectory.parse(FULL);

    Tenant t = directory.byId("acme-shop").orElseThrow();
    assertThat(t.displayName()).isEqualTo("Acme Shop");
    assertThat(t.apiKeySha256()).isEqualTo(ACME_HASH);
    assertThat(t.codeLength()).isEqualTo(8);
    assertThat(t.codeTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(t.maxChecks()).isEqualTo(3);
    assertThat(t.smsTemplate()).isEqualTo("{name}: {code} is your code, valid {minutes} min.");
    assertThat(t.sender()).isEqualTo("AcmeShop");
    assertThat(t.defaultRegion()).isEqualTo("DE");
    assertThat(t.limits())
        .isEqualTo(new Tenant.SendLimits(3, Duration.ofMinutes(15), Duration.ofSeconds(45), 10, 30, 100));
    assertThat(t.lockout()).isEqualTo(new Tenant.Lockout(4, Duration.ofMinutes(2), Duration.ofHours(2)));
    assertThat(directory.all()).containsExactly(t);
  }

  @Test
  void fillsDefaultsForAMinimalTenant() {
    TenantDirectory directory = TenantDirectory.parse("[{\"id\": \"shop\", \"api_key\": \"dev-key\"}]");

    Tenant t = directory.byId("shop").orElseThrow();
    assertThat(t.displayName()).isEqualTo("shop");
    assertThat(t.apiKeySha256()).isEqualTo(TenantDirectory.sha256("dev-key"));
    assertThat(t.codeLength()).isEqualTo(6);
    assertThat(t.codeTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(t.maxChecks()).isEqualTo(5);
    assertThat(t.smsTemplate()).contains("{code}");
    assertThat(t.sender()).isNull();
    assertThat(t.defaultRegion()).isEqualTo("US");
    assertThat(t.limits()).isEqualTo(Tenant.SendLimits.DEFAULTS);
    assertThat(t.lockout()).isEqualTo(Tenant.Lockout.DEFAULTS);
    assertThat(t.dailySpendCap()).as("no spend cap unless one is set").isNull();
  }

  @Test
  void readsADailySpendCapAsAnExactDecimal() {
    Tenant t = TenantDirectory.parse("[{\"id\": \"shop\", \"api_key\": \"k\", \"daily_spend_cap\": 12.10}]")
        .byId("shop").orElseThrow();
    assertThat(t.dailySpendCap()).isEqualByComparingTo(new java.math.BigDecimal("12.1"));
    assertThat(TenantDirectory.parse("[{\"id\": \"s\", \"api_key\": \"k\", \"daily_spend_cap\": 0}]")
        .byId("s").orElseThrow().dailySpendCap()).as("0 stops every paid send").isZero();
  }

  @Test
  void partialLimitsKeepTheOtherDefaults() {
    TenantDirectory directory =
        TenantDirectory.parse(
            "[{\"id\": \"shop\", \"api_key\": \"k\", \"limits\": {\"per_destination\": 2}, \"lockout\": {\"threshold\": 3}}]");

    Tenant t = directory.byId("shop").orElseThrow();
    Tenant.SendLimits d = Tenant.SendLimits.DEFAULTS;
    assertThat(t.limits())
        .isEqualTo(new Tenant.SendLimits(2, d.destinationWindow(), d.minInterval(), d.perAccount(), d.perIp(), d.perTenant()));
    assertThat(t.lockout())
        .isEqualTo(new Tenant.Lockout(3, Tenant.Lockout.DEFAULTS.baseDelay(), Tenant.Lockout.DEFAULTS.maxDelay()));
  }

  @Test
  void findsTenantsByApiKeyThroughItsHash() {
    TenantDirectory directory =
        TenantDirectory.parse(
            "[" + FULL.strip().substring(1, FULL.strip().length() - 1) + ", {\"id\": \"other\", \"api_key\": \"k2\"}]");

    assertThat(directory.byApiKey(ACME_KEY)).map(Tenant::id).contains("acme-shop");
    assertThat(directory.byApiKey("k2")).map(Tenant::id).contains("other");
    assertThat(directory.byApiKey(ACME_HASH)).as("the stored hash is not a key").isEmpty();
    assertThat(directory.byApiKey(ACME_KEY + "x")).isEmpty();
    assertThat(directory.byApiKey("")).isEmpty();
    assertThat(directory.byApiKey(null)).isEmpty();
    assertThat(directory.byApiKey("a".repeat(201))).isEmpty();
    assertThat(directory.byId("nobody")).isEmpty();
  }

  @Test
  void sha256IsLowercaseHex() {
    assertThat(TenantDirectory.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void rendersTheTemplateWithNameAndMinutesButKeepsTheCode() {
    Tenant t = TenantDirectory.parse(FULL).byId("acme-shop").orElseThrow();

    assertThat(t.renderedTemplate()).isEqualTo("Acme Shop: {code} is your code, valid 10 min.");
  }

  @Test
  void aTtlUnderAMinuteRendersAsOneMinute() {
    Tenant t =
        TenantDirectory.parse("[{\"id\": \"s\", \"api_key\": \"k\", \"code_ttl\": \"30s\"}]").byId("s").orElseThrow();

    assertThat(t.renderedTemplate()).contains("1 minutes");
  }

  @Test
  void toStringLeavesTheKeyHashOut() {
    Tenant t = TenantDirectory.parse(FULL).byId("acme-shop").orElseThrow();

    assertThat(t.toString()).contains("acme-shop").doesNotContain(ACME_HASH);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          upper-case id               | {"id": "Shop", "api_key": "k"}                               | Tenant id
          id with a dot               | {"id": "shop.eu", "api_key": "k"}                            | Tenant id
          id starting with a dash     | {"id": "-shop", "api_key": "k"}                              | Tenant id
          id of 41 characters         | {"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "api_key": "k"} | Tenant id
          no id                       | {"api_key": "k"}                                             | Tenant id
          no api key                  | {"id": "shop"}                                               | api_key_sha256
          api key hash not hex        | {"id": "shop", "api_key_sha256": "xyz"}                      | api_key_sha256
          code_length 3               | {"id": "shop", "api_key": "k", "code_length": 3}             | code_length
          code_length 11              | {"id": "shop", "api_key": "k", "code_length": 11}            | code_length
          code_ttl 11m                | {"id": "shop", "api_key": "k", "code_ttl": "11m"}            | code_ttl
          code_ttl 0s                 | {"id": "shop", "api_key": "k", "code_ttl": "0s"}             | code_ttl
          code_ttl not a duration     | {"id": "shop", "api_key": "k", "code_ttl": "soon"}           | code_ttl
          max_checks 0                | {"id": "shop", "api_key": "k", "max_checks": 0}              | max_checks
          max_checks 21               | {"id": "shop", "api_key": "k", "max_checks": 21}             | max_checks
          template without {code}     | {"id": "shop", "api_key": "k", "sms_template": "Your code"}  | {code}
          display name too long       | {"id": "shop", "api_key": "k", "display_name": "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"} | display name
          per_destination 0           | {"id": "shop", "api_key": "k", "limits": {"per_destination": 0}} | at least 1
          lockout threshold 0         | {"id": "shop", "api_key": "k", "lockout": {"threshold": 0}}  | threshold
          bad limit window            | {"id": "shop", "api_key": "k", "limits": {"min_interval": "x"}} | min_interval
          min_interval 0s             | {"id": "shop", "api_key": "k", "limits": {"min_interval": "0s"}} | min_interval
          negative window             | {"id": "shop", "api_key": "k", "limits": {"destination_window": "-10m"}} | destination_window
          max_delay below base_delay  | {"id": "shop", "api_key": "k", "lockout": {"base_delay": "10m", "max_delay": "1m"}} | max_delay
          lower-case region           | {"id": "shop", "api_key": "k", "default_region": "us"}       | default_region
          sender of 12 letters        | {"id": "shop", "api_key": "k", "sender": "AcmeShopping"}     | sender
          misspelt setting            | {"id": "shop", "api_key": "k", "code_lenght": 8}             | code_lenght
          misspelt limit              | {"id": "shop", "api_key": "k", "limits": {"per_destinaton": 2}} | per_destinaton
          misspelt lockout setting    | {"id": "shop", "api_key": "k", "lockout": {"treshold": 2}}   | treshold
          code_length as a word       | {"id": "shop", "api_key": "k", "code_length": "eight"}       | code_length
          code_length with a fraction | {"id": "shop", "api_key": "k", "code_length": 6.5}           | code_length
          max_checks as a boolean     | {"id": "shop", "api_key": "k", "max_checks": true}           | max_checks
          spend cap as a string       | {"id": "shop", "api_key": "k", "daily_spend_cap": "10"}      | daily_spend_cap
          negative spend cap          | {"id": "shop", "api_key": "k", "daily_spend_cap": -1}        | daily_spend_cap
          spend cap below a micro     | {"id": "shop", "api_key": "k", "daily_spend_cap": 0.0000001} | daily_spend_cap
          misspelt spend cap          | {"id": "shop", "api_key": "k", "daily_spend_limit": 5}       | daily_spend_limit
          """)
  void rejectsInvalidTenants(String what, String tenant, String message) {
    assertThatThrownBy(() -> TenantDirectory.parse("[" + tenant + "]"))
        .as(what)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsDuplicateIds() {
    assertThatThrownBy(
            () -> TenantDirectory.parse("[{\"id\": \"shop\", \"api_key\": \"k1\"}, {\"id\": \"shop\", \"api_key\": \"k2\"}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shop")
        .hasMessageContaining("twice");
  }

  @Test
  void rejectsTwoTenantsWithOneKey() {
    assertThatThrownBy(
            () -> TenantDirectory.parse("[{\"id\": \"a\", \"api_key\": \"same\"}, {\"id\": \"b\", \"api_key\": \"same\"}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("API key");
  }

  @Test
  void rejectsAnythingButANonEmptyArray() {
    assertThatThrownBy(() -> TenantDirectory.parse("[]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("At least one tenant");
    assertThatThrownBy(() -> TenantDirectory.parse("{\"id\": \"shop\", \"api_key\": \"k\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("array");
    assertThatThrownBy(() -> TenantDirectory.parse("[{\"id\": "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> TenantDirectory.parse(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loadsFromInlineJsonOrAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tenants.json");
    Files.writeString(file, FULL);

    TenantDirectory inline = TenantDirectory.fromEnv(new Env(Map.of("OTPFLOW_TENANTS", FULL)));
    TenantDirectory fromFile = TenantDirectory.fromEnv(new Env(Map.of("OTPFLOW_TENANTS_FILE", file.toString())));

    assertThat(inline.byId("acme-shop")).isPresent();
    assertThat(fromFile.byId("acme-shop")).isEqualTo(inline.byId("acme-shop"));
  }

  @Test
  void saysWhatToSetWhenNothingIsConfigured(@TempDir Path dir) {
    assertThatThrownBy(() -> TenantDirectory.fromEnv(new Env(Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OTPFLOW_TENANTS_FILE")
        .hasMessageContaining("OTPFLOW_TENANTS");
    assertThatThrownBy(
            () -> TenantDirectory.fromEnv(new Env(Map.of("OTPFLOW_TENANTS_FILE", dir.resolve("missing.json").toString()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OTPFLOW_TENANTS_FILE");
  }

  @Test
  void adminKeysTotpAndPushSettingsLoadAndAreChecked() {
    TenantDirectory d = TenantDirectory.parse("""
        [{"id": "acme", "api_key": "user-key", "admin_api_key": "admin-key",
          "totp": {"algorithm": "SHA512", "digits": 8, "period": "60s"}, "push": {"max_devices": 3}},
         {"id": "plain", "api_key": "plain-key"}]
        """);
    Tenant acme = d.byId("acme").orElseThrow();
    assertThat(acme.totp()).isEqualTo(new Tenant.TotpSettings(Totp.Algorithm.SHA512, 8, 60));
    assertThat(acme.push()).isEqualTo(new Tenant.PushSettings(3, 5));
    assertThat(d.byId("plain").orElseThrow().totp()).isEqualTo(Tenant.TotpSettings.DEFAULTS);
    assertThat(d.callerByApiKey("user-key").orElseThrow().isAdmin()).isFalse();
    assertThat(d.callerByApiKey("admin-key").orElseThrow().isAdmin()).isTrue();
    assertThat(d.callerByApiKey("admin-key").orElseThrow().tenant().id()).isEqualTo("acme");
    assertThat(d.byApiKey("admin-key")).as("the admin key is not the application's key").isEmpty();
    assertThat(d.callerByApiKey("nobody")).isEmpty();
    for (String bad : List.of(
        "{\"totp\": {\"digits\": 7}}", "{\"totp\": {\"algorithm\": \"MD5\"}}", "{\"totp\": {\"period\": \"5s\"}}",
        "{\"totp\": {\"skew\": 2}}", "{\"push\": {\"max_devices\": 0}}", "{\"push\": {\"devices\": 2}}",
        "{\"admin_api_key\": \"k\"}", "{\"admin_api_key_sha256\": \"ABC\"}", "{\"totp\": 5}")) {
      String json = "[{\"id\": \"t\", \"api_key\": \"k\", " + bad.substring(1, bad.length() - 1) + "}]";
      assertThatThrownBy(() -> TenantDirectory.parse(json)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
