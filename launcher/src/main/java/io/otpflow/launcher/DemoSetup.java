package io.otpflow.launcher;

import io.otpflow.common.PlatformKeys;
import io.otpflow.common.TenantDirectory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ./otpflow up} sets up around the services, in one mode or the other: the development
 * secrets kept in the data folder, the demo tenant, the environment every service gets, and the demo
 * people of the hosted pages.
 *
 * @param data the data folder
 * @param secrets the keys and demo credentials, from {@code secrets.properties}
 * @param apiKey the demo tenant's API key
 * @param adminKey the demo tenant's admin key
 * @param gatewayPort the gateway's port
 */
record DemoSetup(Path data, Properties secrets, String apiKey, String adminKey, int gatewayPort) {
  private static final Logger LOG = LoggerFactory.getLogger(DemoSetup.class);

  /** Reads (or makes, the first time) the data folder's secrets; the environment may fix the demo keys. */
  static DemoSetup in(Path data) throws IOException {
    Files.createDirectories(data);
    Properties secrets = secrets(data.resolve("secrets.properties"));
    String apiKey = System.getenv().getOrDefault("OTPFLOW_DEMO_API_KEY", secrets.getProperty("demo.api.key"));
    String adminKey = System.getenv().getOrDefault("OTPFLOW_DEMO_ADMIN_KEY", secrets.getProperty("demo.admin.key"));
    int gatewayPort = Integer.parseInt(System.getenv().getOrDefault("OTPFLOW_GATEWAY_PORT", "8080"));
    return new DemoSetup(data, secrets, apiKey, adminKey, gatewayPort);
  }

  /**
   * The environment every service gets: this process's, with the infrastructure's addresses, the
   * secrets, the demo tenant and the local outbox.
   */
  Map<String, String> serviceEnv(String kafkaBootstrap, String redisUrl) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
    env.put("KAFKA_PARTITIONS", env.getOrDefault("KAFKA_PARTITIONS", "3"));
    env.put("REDIS_URL", redisUrl);
    env.put(PlatformKeys.CODE_MAC_KEY, secrets.getProperty("code.mac.key"));
    env.put(PlatformKeys.DISPATCH_KEYS, "k1:" + secrets.getProperty("dispatch.key"));
    env.put(PlatformKeys.FACTOR_KEYS, "f1:" + secrets.getProperty("factor.key"));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + secrets.getProperty("address.key"));
    env.put("OTPFLOW_TENANTS", demoTenants());
    env.put("SMS_PROVIDER", "outbox");
    env.put("PUSH_PROVIDER", "outbox");
    env.put("OTPFLOW_OUTBOX_FILE", data.resolve("outbox.jsonl").toString());
    env.put("OTPFLOW_DEV_OUTBOX_FILE", data.resolve("outbox.jsonl").toString());
    // The outbox page may simulate push devices (it holds their keys): development only, never in a deployment.
    env.put("OTPFLOW_DEV_DEVICES", "true");
    env.put("OTPFLOW_HTTP_HOST", env.getOrDefault("OTPFLOW_HTTP_HOST", "127.0.0.1"));
    env.put("OTPFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    return env;
  }

  String adminPassword() {
    return secrets.getProperty("demo.admin.password");
  }

  String userPassword() {
    return secrets.getProperty("demo.user.password");
  }

  /**
   * The demo tenant's people, made through the public users API the first time (a 409 later means
   * they exist already; their passwords are in the data folder's secrets.properties).
   */
  void createDemoUsers(String gateway) throws IOException, InterruptedException {
    createDemoUser(gateway, "admin", "Ada Admin", adminPassword(), "admin");
    createDemoUser(gateway, "alice", "Alice Example", userPassword(), "user");
  }

  private void createDemoUser(String gateway, String username, String displayName, String password, String role)
      throws IOException, InterruptedException {
    String body = "{\"username\": \"%s\", \"display_name\": \"%s\", \"password\": \"%s\", \"role\": \"%s\"}"
        .formatted(username, displayName, password, role);
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(gateway + "/v1/users"))
            .header("authorization", "Bearer " + adminKey).header("content-type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 && r.statusCode() != 409) {
      LOG.warn("Could not create the demo user {}: HTTP {}.", username, r.statusCode());
    }
  }

  private String demoTenants() {
    return """
        [{"id": "demo", "display_name": "Demo Shop", "api_key_sha256": "%s", "admin_api_key_sha256": "%s",
          "code_length": 6, "code_ttl": "5m", "max_checks": 5, "sender": "+15005550006", "default_region": "US"}]
        """.formatted(TenantDirectory.sha256(apiKey), TenantDirectory.sha256(adminKey));
  }

  /**
   * Keys are made once per data folder and kept there (development only), so restarts keep working
   * codes and enrolled authenticator apps. A folder from an older version gets the keys it lacks added.
   */
  private static Properties secrets(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      }
    }
    SecureRandom random = new SecureRandom();
    boolean changed = false;
    for (String key : new String[] {"code.mac.key", "dispatch.key", "factor.key", "address.key"}) {
      if (p.getProperty(key) == null) {
        p.setProperty(key, Base64.getEncoder().encodeToString(bytes(random, 32)));
        changed = true;
      }
    }
    if (p.getProperty("demo.api.key") == null) {
      p.setProperty("demo.api.key", "demo_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24)));
      changed = true;
    }
    if (p.getProperty("demo.admin.key") == null) {
      p.setProperty("demo.admin.key", "demoadmin_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24)));
      changed = true;
    }
    for (String key : new String[] {"demo.admin.password", "demo.user.password"}) {
      if (p.getProperty(key) == null) {
        p.setProperty(key, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 12)));
        changed = true;
      }
    }
    if (changed) {
      try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        p.store(out, "otpflow development secrets: generated by ./otpflow up, never use in production");
      }
    }
    return p;
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Override
  public String toString() {
    return "DemoSetup[data=" + data + ", gatewayPort=" + gatewayPort + "]";
  }
}
