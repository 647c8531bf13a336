package io.otpflow.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeMac;
import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.RedisServer;
import io.otpflow.issuer.IssuerRedisCalls;
import io.otpflow.sms.DispatcherRedisCalls;
import io.otpflow.testing.FakeTwilio;
import io.otpflow.verifier.VerifierRedisCalls;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;

/**
 * Everything a run measures, wired the same way: the services' JVM configured like {@code ./otpflow
 * up} but with SMS going to the fake Twilio through the real Twilio SDK and a bench tenant; the raw
 * Redis calls in this JVM with the same keys, tenant and client settings; the HTTP load client.
 *
 * <p>The bench tenant keeps every send limit switched on (the scripts run as in production) but sets
 * them high, and every send goes to a new number and a new account, so limits never refuse or slow
 * a send: the default per-tenant limit alone (6000 per minute) would cap sends at 100/s.
 */
final class BenchPlatform implements AutoCloseable {
  static final String TENANT = "bench";
  private static final String TENANTS = """
      [{"id": "bench", "display_name": "Bench", "api_key": "%s", "code_length": 6, "code_ttl": "10m",
        "max_checks": 5, "sender": "+15005550006",
        "limits": {"per_destination": 1000000, "destination_window": "10m", "min_interval": "1ms",
                   "per_account_per_hour": 1000000, "per_ip_per_hour": 1000000, "per_tenant_per_minute": 100000000}}]
      """;

  private final BenchOptions options;
  private final Map<String, String> env;
  private final ServicesProcess services;
  private final KafkaBroker kafka;
  private final UnifiedJedis redis;
  private final PlatformHttp http;
  private final RawRedis rawRedis;
  private final Path data;

  private BenchPlatform(BenchOptions o, KafkaBroker kafka, RedisServer redisServer, FakeTwilio twilio, Path data)
      throws Exception {
    this.options = o;
    this.kafka = kafka;
    this.data = data;
    SecureRandom random = new SecureRandom();
    byte[] macKey = bytes(random, 32);
    byte[] dispatchKey = bytes(random, 32);
    String apiKey = "bench_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24));
    String tenants = TENANTS.formatted(apiKey);
    int gatewayPort = freePort();
    Map<String, String> e = new HashMap<>();
    e.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    e.put("KAFKA_PARTITIONS", Integer.toString(o.partitions()));
    e.put("REDIS_URL", redisServer.uri());
    e.put(PlatformKeys.CODE_MAC_KEY, Base64.getEncoder().encodeToString(macKey));
    e.put(PlatformKeys.DISPATCH_KEYS, "b1:" + Base64.getEncoder().encodeToString(dispatchKey));
    e.put(PlatformKeys.FACTOR_KEYS, "f1:" + Base64.getEncoder().encodeToString(bytes(random, 32)));
    e.put(PlatformKeys.ADDRESS_KEYS, "a1:" + Base64.getEncoder().encodeToString(bytes(random, 32)));
    e.put("OTPFLOW_TENANTS", tenants);
    e.put("SMS_PROVIDER", "twilio");
    e.put("TWILIO_ACCOUNT_SID", twilio.accountSid());
    e.put("TWILIO_AUTH_TOKEN", twilio.authToken());
    e.put("TWILIO_FROM_NUMBER", "+15005550006");
    e.put("TWILIO_API_BASE_URL", twilio.baseUrl());
    e.put("OTPFLOW_HTTP_HOST", "127.0.0.1");
    e.put("OTPFLOW_GATEWAY_PORT", Integer.toString(gatewayPort));
    e.put("OTPFLOW_ISSUER_PORT", "0");
    e.put("OTPFLOW_VERIFIER_PORT", "0");
    e.put("OTPFLOW_DISPATCHER_PORT", "0");
    this.env = Map.copyOf(e);

    Env driverEnv = new Env(env);
    this.redis = RedisSettings.fromEnv(driverEnv).connect();
    TenantDirectory directory = TenantDirectory.parse(tenants);
    CodeMac codeMac = new CodeMac(macKey);
    SecretBox box = new SecretBox(Map.of("b1", dispatchKey));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    IssuerRedisCalls issuer = new IssuerRedisCalls(redis, directory, TENANT, codeMac, box, Duration.ofHours(1), metrics);
    Destinations destinations = new Destinations();
    CheckFixtures fixtures = new CheckFixtures(issuer, destinations);
    this.rawRedis = new RawRedis(issuer, new DispatcherRedisCalls(redis, box, metrics),
        new VerifierRedisCalls(redis, directory, TENANT, codeMac, metrics), destinations, fixtures);
    this.services = ServicesProcess.start(env, o.servicesJvmOptions(), data.resolve("services.log"), gatewayPort);
    this.http = new PlatformHttp(gatewayPort, apiKey, twilio, destinations, fixtures);
  }

  static BenchPlatform start(BenchOptions o, KafkaBroker kafka, RedisServer redis, FakeTwilio twilio, Path data)
      throws Exception {
    return new BenchPlatform(o, kafka, redis, twilio, data);
  }

  KafkaSettings rawKafkaSettings() {
    return new KafkaSettings(kafka.bootstrapServers(), "bench-raw", options.partitions());
  }

  RawRedis rawRedis() {
    return rawRedis;
  }

  PlatformHttp http() {
    return http;
  }

  /** The processes whose CPU and memory are reported. */
  Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    pids.put("bench-driver", ProcessHandle.current().pid());
    pids.put("services", services.pid());
    Processes.child("kafka.Kafka").ifPresent(pid -> pids.put("kafka", pid));
    Processes.child("redis-server").ifPresent(pid -> pids.put("redis", pid));
    return pids;
  }

  /** Starts Java Flight Recorder in the processes named by --jfr, for the platform sections. */
  void startRecording() throws Exception {
    for (String name : options.jfr()) {
      jcmd(name, "JFR.start", "name=bench", "settings=profile",
          "filename=" + data.resolve(name + ".jfr"));
    }
  }

  void stopRecording() throws Exception {
    for (String name : options.jfr()) {
      jcmd(name, "JFR.stop", "name=bench");
      Bench.log("flight recording of " + name + ": " + data.resolve(name + ".jfr"));
    }
  }

  private void jcmd(String process, String... command) throws Exception {
    Long pid = pids().get(process);
    if (pid == null) {
      throw new IllegalArgumentException("--jfr names " + process + "; it takes services and kafka.");
    }
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(java.util.List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("jcmd.log").toFile())).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed; see " + data.resolve("jcmd.log"));
    }
  }

  @Override
  public void close() throws Exception {
    try {
      http.close();
    } finally {
      services.close();
      redis.close();
    }
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
