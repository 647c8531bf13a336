package io.otpflow.launcher;

import io.otpflow.common.PlatformKeys;
import io.otpflow.common.TenantDirectory;
import io.otpflow.embedded.DataFolderLock;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.RedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./otpflow up}: a real Kafka broker (KRaft), a real Redis and every service, with state in
 * one folder (default ./.otpflow) so a restart keeps it, SMS and push going to a local outbox shown
 * at GET /dev/outbox. Ctrl-C stops everything, in reverse order.
 *
 * <p>It refuses to start, with one line and exit code 1, when the data folder is in use by another
 * launcher or a port it needs is taken; both are checked before Kafka and Redis start.
 */
public final class Standalone {
  private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);

  private Standalone() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (StartRefused e) {
      System.err.println("otpflow: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    Path data = Path.of(args.length > 0 ? args[0] : System.getenv().getOrDefault("OTPFLOW_DATA_DIR", ".otpflow"))
        .toAbsolutePath();
    DataFolderLock lock;
    try {
      lock = DataFolderLock.acquire(data);
    } catch (DataFolderLock.FolderInUseException e) {
      throw new StartRefused(e.getMessage());
    }
    long started = System.nanoTime();
    Properties secrets = secrets(data.resolve("secrets.properties"));
    String apiKey = System.getenv().getOrDefault("OTPFLOW_DEMO_API_KEY", secrets.getProperty("demo.api.key"));
    String adminKey = System.getenv().getOrDefault("OTPFLOW_DEMO_ADMIN_KEY", secrets.getProperty("demo.admin.key"));
    int gatewayPort = Integer.parseInt(System.getenv().getOrDefault("OTPFLOW_GATEWAY_PORT", "8080"));
    ListenPorts.requireFree(System.getenv().getOrDefault("OTPFLOW_HTTP_HOST", "127.0.0.1"), gatewayPort, System.getenv());

    KafkaBroker kafka = KafkaBroker.start(data.resolve("kafka"), 0, KafkaBroker.JvmProfile.THROUGHPUT);
    RedisServer redis = RedisServer.start(data.resolve("redis"), 0);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KAFKA_PARTITIONS", env.getOrDefault("KAFKA_PARTITIONS", "3"));
    env.put("REDIS_URL", redis.uri());
    env.put(PlatformKeys.CODE_MAC_KEY, secrets.getProperty("code.mac.key"));
    env.put(PlatformKeys.DISPATCH_KEYS, "k1:" + secrets.getProperty("dispatch.key"));
    env.put(PlatformKeys.FACTOR_KEYS, "f1:" + secrets.getProperty("factor.key"));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + secrets.getProperty("address.key"));
    env.put("OTPFLOW_TENANTS", demoTenants(apiKey, adminKey));
    env.put("SMS_PROVIDER", "outbox");
    env.put("PUSH_PROVIDER", "outbox");
    env.put("OTPFLOW_OUTBOX_FILE", data.resolve("outbox.jsonl").toString());
    env.put("OTPFLOW_DEV_OUTBOX_FILE", data.resolve("outbox.jsonl").toString());
    // The outbox page may simulate push devices (it holds their keys): development only, never in a deployment.
    env.put("OTPFLOW_DEV_DEVICES", "true");
    env.put("OTPFLOW_HTTP_HOST", env.getOrDefault("OTPFLOW_HTTP_HOST", "127.0.0.1"));
    env.put("OTPFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    env.putIfAbsent("OTPFLOW_ISSUER_PORT", "0");
    env.putIfAbsent("OTPFLOW_VERIFIER_PORT", "0");
    env.putIfAbsent("OTPFLOW_DISPATCHER_PORT", "0");
    env.putIfAbsent("OTPFLOW_PUSH_DISPATCHER_PORT", "0");
    Platform platform;
    try {
      platform = Platform.start(env, Clock.systemUTC());
    } catch (Exception e) {
      redis.close();
      kafka.close();
      if (ListenPorts.isPortTaken(e)) {
        throw new StartRefused("a service could not listen on its port: " + e.getMessage());
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping otpflow.");
      platform.close();
      redis.close();
      kafka.close();
      lock.close();
      stopped.countDown();
    }, "otpflow-shutdown"));
    String gateway = "http://127.0.0.1:" + platform.gateway().httpPort();
    String adminPassword = secrets.getProperty("demo.admin.password");
    String userPassword = secrets.getProperty("demo.user.password");
    createDemoUser(gateway, adminKey, "admin", "Ada Admin", adminPassword, "admin");
    createDemoUser(gateway, adminKey, "alice", "Alice Example", userPassword, "user");
    System.out.printf("""

        otpflow is up in %.1f s (data in %s)
          gateway      %s
          API key      %s   (demo tenant; fix it with OTPFLOW_DEMO_API_KEY)
          admin key    %s   (helpdesk actions; OTPFLOW_DEMO_ADMIN_KEY)
          sign in      %s/t/demo/sign-in  as admin / %s  or  alice / %s
          outbox       %s/dev/outbox.html  (SMS and push; simulated phones answer pushes there)
          metrics      http://127.0.0.1:%d/metrics  (issuer :%d, verifier :%d, sms-dispatcher :%d, push-dispatcher :%d)
          Kafka        %s    Redis %s

        Try:  curl -s -X POST %s/v1/verifications -H 'Authorization: Bearer %s' \\
                -H 'Content-Type: application/json' -d '{"to": "+14155552671", "channel": "sms"}'
        Ctrl-C stops everything.
        %n""",
        (System.nanoTime() - started) / 1e9, data, gateway, apiKey, adminKey, gateway, adminPassword, userPassword,
        gateway, platform.gateway().managementPort(),
        platform.issuer().httpPort(), platform.verifier().httpPort(), platform.dispatcher().httpPort(),
        platform.push().httpPort(),
        kafka.bootstrapServers(), redis.uri(), gateway, apiKey);
    stopped.await();
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
        p.setProperty(key, randomBase64(random, 32));
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

  /**
   * The demo tenant's people, made through the public users API the first time (a 409 later means
   * they exist already; their passwords are in the data folder's secrets.properties).
   */
  private static void createDemoUser(String gateway, String adminKey, String username, String displayName,
      String password, String role) throws IOException, InterruptedException {
    String body = "{\"username\": \"%s\", \"display_name\": \"%s\", \"password\": \"%s\", \"role\": \"%s\"}"
        .formatted(username, displayName, password, role);
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway + "/v1/users"))
            .header("authorization", "Bearer " + adminKey).header("content-type", "application/json")
            .timeout(java.time.Duration.ofSeconds(10))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 && r.statusCode() != 409) {
      LOG.warn("Could not create the demo user {}: HTTP {}.", username, r.statusCode());
    }
  }

  private static String demoTenants(String apiKey, String adminKey) {
    return """
        [{"id": "demo", "display_name": "Demo Shop", "api_key_sha256": "%s", "admin_api_key_sha256": "%s",
          "code_length": 6, "code_ttl": "5m", "max_checks": 5, "sender": "+15005550006", "default_region": "US"}]
        """.formatted(TenantDirectory.sha256(apiKey), TenantDirectory.sha256(adminKey));
  }

  private static String randomBase64(SecureRandom random, int n) {
    return Base64.getEncoder().encodeToString(bytes(random, n));
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
