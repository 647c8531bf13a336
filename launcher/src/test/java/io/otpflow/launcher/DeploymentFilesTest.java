package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.otpflow.common.Env;
import io.otpflow.gateway.GatewayConfig;
import io.otpflow.issuer.IssuerConfig;
import io.otpflow.push.PushDispatcherConfig;
import io.otpflow.sms.DispatcherConfig;
import io.otpflow.verifier.VerifierConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Keeps docker-compose.yml and deploy/ true to the code, without a Docker engine. Each otpflow
 * service's environment is resolved the way Compose resolves it (anchors and merge keys, then ${...}
 * with deploy/otpflow.env.example standing in for .env), files mounted into the container are mapped
 * back to the repository, and the result goes through the service's real {@code XxxConfig.fromEnv},
 * so the same validation runs as at start-up. The variables, images and ports in the deployment files
 * are then compared with what that config asked for ({@link Env#asked()}) and where it listens.
 */
@Tag(OptionalTools.TAG)
class DeploymentFilesTest {

  /** Variables read by the JVM rather than by a service's config; compose may set these. */
  private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

  /**
   * The switch to Twilio as deploy/otpflow.env.example describes it (all values made up): the
   * provider, the TWILIO_* lines filled in, /dev/outbox off, a public address Twilio can reach.
   */
  private static final Map<String, String> TWILIO_MODE =
      Map.of(
          "SMS_PROVIDER", "twilio",
          "TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000",
          "TWILIO_AUTH_TOKEN", "example-auth-token",
          "TWILIO_FROM_NUMBER", "+14155550100",
          "OTPFLOW_DEV_OUTBOX_FILE", "",
          "OTPFLOW_PUBLIC_URL", "https://otp.example.com");

  /**
   * The switch to the real push providers as deploy/otpflow.env.example describes it: the provider
   * list, the APNS_* and FCM_* lines filled in (paths inside the container), and the keys folder on
   * the host, which {@link #writePushKeys} fills with a made-up .p8 key and service account key.
   */
  private static Map<String, String> pushMode() {
    return Map.of(
        "PUSH_PROVIDER", "apns,fcm",
        "OTPFLOW_PUSH_KEYS_HOST_DIR", pushKeys.toString(),
        "APNS_KEY_FILE", "/etc/otpflow/push/AuthKey_ABC123DEFG.p8",
        "APNS_KEY_ID", "ABC123DEFG",
        "APNS_TEAM_ID", "DEF123GHIJ",
        "APNS_TOPIC", "com.example.authenticator",
        "FCM_CREDENTIALS_FILE", "/etc/otpflow/push/fcm-service-account.json");
  }

  /** Twilio's delivery callbacks, as GatewayService routes them. */
  private static final String TWILIO_WEBHOOK_PATH = io.otpflow.gateway.api.TwilioWebhook.PATH;

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path root;
  private static Object composeDocument;
  private static Map<String, String> envExample;
  /** Made-up push key files, as a host folder that push mode would mount. */
  @TempDir static Path pushKeys;

  @BeforeAll
  static void readFiles() throws IOException {
    root = repositoryRoot();
    // Jackson's YAML parser hands an alias back as its anchor's name and knows no merge keys (<<), so
    // the compose file is loaded with SnakeYAML (which jackson-dataformat-yaml is built on), which
    // resolves both exactly as Compose does; ${...} is resolved afterwards, on the values, like Compose.
    composeDocument =
        new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(root.resolve("docker-compose.yml")));
    envExample = parseEnvFile(root.resolve("deploy/otpflow.env.example"));
    writePushKeys(pushKeys);
  }

  /** A host folder with the key files push mode names: an EC P-256 .p8 key and an RSA service account key. */
  private static void writePushKeys(Path dir) throws IOException {
    try {
      java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
      ec.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      Files.writeString(dir.resolve("AuthKey_ABC123DEFG.p8"), pem(ec.generateKeyPair().getPrivate().getEncoded()));
      Files.writeString(dir.resolve("fcm-service-account.json"), JSON.writeValueAsString(Map.of(
          "type", "service_account", "project_id", "example-project", "private_key_id", "0123456789abcdef",
          "private_key", pem(rsa.generateKeyPair().getPrivate().getEncoded()),
          "client_email", "otpflow@example-project.iam.gserviceaccount.com",
          "token_uri", "https://oauth2.googleapis.com/token")));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(byte[] pkcs8) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n";
  }

  // --- (a) and (b): the configs build, and every variable compose sets is one they read --------------

  @Test
  void everyServiceBuildsItsConfigFromTheComposeFile() {
    Map<String, Service> outbox = otpflowServices(envExample);
    assertThat(outbox.values()).extracting(Service::module)
        .as("compose runs every service module")
        .contains("gateway", "otp-issuer", "verifier", "sms-dispatcher", "push-dispatcher");
    Map<String, Built> built = new TreeMap<>();
    outbox.forEach((name, service) -> built.put(name, build(service)));

    DispatcherConfig dispatcher = (DispatcherConfig) only(built, "sms-dispatcher");
    assertThat(dispatcher.provider()).as("SMS_PROVIDER as the example has it").isEqualTo("outbox");
    IssuerConfig issuer = (IssuerConfig) only(built, "otp-issuer");
    assertThat(issuer.prices().configured()).as("the issuer reads the example SMS price table").isTrue();
    assertThat(issuer.tenants().all()).as("the example tenant shows a daily spend cap")
        .anySatisfy(t -> assertThat(t.dailySpendCap()).isNotNull());
    PushDispatcherConfig push = (PushDispatcherConfig) only(built, "push-dispatcher");
    assertThat(push.providers()).as("PUSH_PROVIDER as the example has it").containsExactly("outbox");
    assertThat(push.outboxFile()).as("SMS and push share one outbox").isEqualTo(dispatcher.outboxFile());
    for (Built b : built.values()) {
      if (b.config() instanceof GatewayConfig gateway) {
        assertThat(gateway.devOutboxFile()).as("/dev/outbox, which shows codes to anyone, is off unless .env turns it on")
            .isNull();
        assertThat(gateway.tenants().byApiKey(documentedApiKey()))
            .as("the API key documented in deploy/otpflow.env.example opens the example tenant").isPresent();
      }
    }
    Map<String, String> development = new HashMap<>(envExample);
    development.put("OTPFLOW_DEV_OUTBOX_FILE", "/var/lib/otpflow/outbox/outbox.jsonl"); // as the example says
    for (Service service : otpflowServices(development).values()) {
      if (build(service).config() instanceof GatewayConfig gateway) {
        assertThat(gateway.devOutboxFile()).as("turned on, /dev/outbox shows the file the outbox provider writes")
            .isEqualTo(dispatcher.outboxFile());
      }
    }
    assertThat(built.values()).filteredOn(b -> b.config() instanceof GatewayConfig)
        .extracting(b -> ((GatewayConfig) b.config()).instanceId())
        .as("each gateway instance reads replies under its own name").doesNotHaveDuplicates().hasSizeGreaterThan(1);
  }

  @Test
  void switchingToTwilioInTheEnvFileIsEnough() {
    assertThat(envExample).as("the Twilio switch only edits lines deploy/otpflow.env.example has")
        .containsKeys(TWILIO_MODE.keySet().toArray(String[]::new));
    Map<String, String> dotEnv = new HashMap<>(envExample);
    dotEnv.putAll(TWILIO_MODE);
    Map<String, Built> built = new TreeMap<>();
    otpflowServices(dotEnv).forEach((name, service) -> built.put(name, build(service)));

    DispatcherConfig dispatcher = (DispatcherConfig) only(built, "sms-dispatcher");
    assertThat(dispatcher.provider()).isEqualTo("twilio");
    assertThat(dispatcher.twilio().from()).isEqualTo(TWILIO_MODE.get("TWILIO_FROM_NUMBER"));
    for (Built b : built.values()) {
      if (b.config() instanceof GatewayConfig gateway) {
        assertThat(gateway.twilioAuthToken()).as("the gateway checks callbacks with the dispatcher's account token")
            .isEqualTo(dispatcher.twilio().authToken());
        assertThat(gateway.devOutboxFile()).as("/dev/outbox is off").isNull();
        // The callback's signature covers the URL Twilio calls: public URL + path must be what the dispatcher sends.
        assertThat(dispatcher.statusCallback())
            .isEqualTo(URI.create(gateway.publicUrl().toString().replaceAll("/$", "") + TWILIO_WEBHOOK_PATH));
      }
    }
  }

  @Test
  void switchingPushToApnsAndFcmInTheEnvFileIsEnough() {
    assertThat(envExample).as("the push switch only edits lines deploy/otpflow.env.example has")
        .containsKeys(pushMode().keySet().toArray(String[]::new));
    Map<String, String> dotEnv = new HashMap<>(envExample);
    dotEnv.putAll(pushMode());
    Map<String, Built> built = new TreeMap<>();
    otpflowServices(dotEnv).forEach((name, service) -> built.put(name, build(service)));

    PushDispatcherConfig push = (PushDispatcherConfig) only(built, "push-dispatcher");
    assertThat(push.providers()).containsExactlyInAnyOrder("apns", "fcm");
    assertThat(push.apns().topic()).isEqualTo("com.example.authenticator");
    assertThat(push.apns().effectiveHost()).as("APNS_ENVIRONMENT production by default").isEqualTo("api.push.apple.com");
    assertThat(push.fcm().projectId()).as("the project comes from the service account file").isEqualTo("example-project");
  }

  @Test
  void composeSetsOnlyVariablesTheConfigsRead() {
    Map<String, String> twilio = new HashMap<>(envExample);
    twilio.putAll(TWILIO_MODE);
    Map<String, String> push = new HashMap<>(envExample);
    push.putAll(pushMode());
    Map<String, Service> outbox = otpflowServices(envExample);
    Map<String, Service> twilioMode = otpflowServices(twilio);
    Map<String, Service> pushLive = otpflowServices(push);
    SoftAssertions soft = new SoftAssertions();
    for (Service service : outbox.values()) {
      // A variable counts as read when the config asks for it in any provider mode.
      Set<String> asked = new TreeSet<>(build(service).asked());
      asked.addAll(build(twilioMode.get(service.name())).asked());
      asked.addAll(build(pushLive.get(service.name())).asked());
      asked.addAll(JVM_VARIABLES);
      soft.assertThat(new TreeSet<>(service.environment().keySet()))
          .as("variables compose sets for %s that its config never reads (dead or misspelt)", service.name())
          .isSubsetOf(asked);
    }
    soft.assertAll();
  }

  // --- (c): the images compose runs are the ones the poms build --------------------------------------

  @Test
  void composeRunsTheImagesJibBuilds() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    for (Service service : otpflowServices(envExample).values()) {
      Document pom = xml(root.resolve(service.module()).resolve("pom.xml"));
      String profile = "/project/profiles/profile[id='images']";
      String jib = profile + "/build/plugins/plugin[artifactId='jib-maven-plugin']";
      String version = text(pom, "/project/version");
      if (version == null) {
        version = text(pom, "/project/parent/version");
      }
      String image = text(pom, jib + "/configuration/to/image");
      soft.assertThat(image).as("%s/pom.xml names its Jib image", service.module()).isNotNull();
      if (image != null) {
        soft.assertThat(service.image()).as("image of compose service %s", service.name())
            .isEqualTo(image.replace("${project.version}", version));
      }
      soft.assertThat(node(pom, profile + "/activation"))
          .as("the images profile of %s is not active by default (the base image needs Docker Hub)", service.module())
          .isNull();
      soft.assertThat(text(pom, jib + "/configuration/container/ports/port"))
          .as("port the %s image exposes", service.module())
          .isEqualTo(Integer.toString(build(service).httpPort()));
    }
    soft.assertAll();
  }

  // --- (d): ports: health checks, published ports and Prometheus --------------------------------------

  @Test
  void healthChecksAndPublishedPortsUseThePortEachConfigListensOn() {
    SoftAssertions soft = new SoftAssertions();
    for (Service service : otpflowServices(envExample).values()) {
      int port = build(service).httpPort();
      String check = service.node().path("healthcheck").path("test").toString();
      Matcher url = Pattern.compile("http://localhost:(\\d+)/health/ready").matcher(check);
      soft.assertThat(url.find()).as("%s has a health check on /health/ready: %s", service.name(), check).isTrue();
      if (url.find(0)) {
        soft.assertThat(Integer.parseInt(url.group(1))).as("health check port of %s", service.name()).isEqualTo(port);
      }
      for (JsonNode p : service.node().path("ports")) {
        soft.assertThat(containerPort(p)).as("container side of %s's published port %s", service.name(), p).isEqualTo(port);
      }
      for (JsonNode e : service.node().path("expose")) {
        soft.assertThat(e.asInt()).as("port %s exposes", service.name()).isIn(port, build(service).metricsPort());
      }
      int metrics = build(service).metricsPort();
      if (metrics != port) {
        soft.assertThat(service.node().path("expose").toString()).as("%s exposes its metrics port", service.name())
            .contains("\"" + metrics + "\"");
        for (JsonNode p : service.node().path("ports")) {
          soft.assertThat(containerPort(p)).as("%s's metrics port is not published: %s", service.name(), p).isNotEqualTo(metrics);
        }
      }
    }
    soft.assertAll();
  }

  @Test
  void prometheusScrapesEveryServiceWhereItsConfigListens() throws IOException {
    JsonNode prometheus = YAML.readTree(root.resolve("deploy/prometheus/prometheus.yml").toFile());
    Map<String, Set<String>> targetsByJob = new TreeMap<>();
    for (JsonNode job : prometheus.path("scrape_configs")) {
      assertThat(job.path("metrics_path").asText("/metrics"))
          .as("metrics path of job %s", job.path("job_name").asText()).isEqualTo("/metrics");
      Set<String> targets = targetsByJob.computeIfAbsent(job.path("job_name").asText(), k -> new TreeSet<>());
      for (JsonNode staticConfig : job.path("static_configs")) {
        staticConfig.path("targets").forEach(t -> targets.add(t.asText()));
      }
    }
    Map<String, Set<String>> expected = new TreeMap<>();
    for (Service service : otpflowServices(envExample).values()) {
      expected.computeIfAbsent(service.module(), k -> new TreeSet<>()).add(service.name() + ":" + build(service).metricsPort());
    }
    expected.forEach(
        (module, targets) ->
            assertThat(targetsByJob.get(module))
                .as("targets of Prometheus job %s: the compose services running it, at their config's metrics port", module)
                .isEqualTo(targets));

    Service server =
        allServices(envExample).values().stream().filter(s -> s.image().startsWith("prom/prometheus")).findFirst()
            .orElseThrow(() -> new AssertionError("compose runs no prom/prometheus service"));
    assertThat(server.mounts())
        .as("the Prometheus service mounts deploy/prometheus/prometheus.yml as its config")
        .contains(new Mount("bind", root.resolve("deploy/prometheus/prometheus.yml").toString(),
            "/etc/prometheus/prometheus.yml", true));
  }

  @Test
  void promtoolAcceptsThePrometheusConfig() throws Exception {
    Path promtool = OptionalTools.onPath("promtool").orElse(null);
    Assumptions.assumeTrue(promtool != null,
        "promtool is not on PATH, so prometheus.yml is checked only by this class's own assertions"
            + " (install it with the Debian package 'prometheus' for the full syntax check)");
    Process process =
        new ProcessBuilder(promtool.toString(), "check", "config", root.resolve("deploy/prometheus/prometheus.yml").toString())
            .redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("promtool check config did not finish within 60 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("promtool check config deploy/prometheus/prometheus.yml:%n%s", output).isZero();
  }

  // --- (e): alert rules, Grafana, and the metric names they query -------------------------------------

  @Test
  void prometheusLoadsTheAlertRulesWhereComposeMountsThem() throws IOException {
    JsonNode prometheus = YAML.readTree(root.resolve("deploy/prometheus/prometheus.yml").toFile());
    List<String> patterns = new ArrayList<>();
    prometheus.path("rule_files").forEach(f -> patterns.add(f.asText()));
    assertThat(patterns).as("rule_files in prometheus.yml").isNotEmpty();
    Service server = onlyService("prom/prometheus");
    Set<Path> loaded = new TreeSet<>();
    for (String pattern : patterns) {
      // Relative rule paths are resolved against the config file's folder, in the container.
      String inContainer = pattern.startsWith("/") ? pattern : "/etc/prometheus/" + pattern;
      int slash = inContainer.lastIndexOf('/');
      Path hostDir = hostPath(server, inContainer.substring(0, slash));
      assertThat(hostDir).as("the folder of rule_files entry %s is mounted into the Prometheus container", pattern)
          .isNotNull().isDirectory();
      var glob = hostDir.getFileSystem().getPathMatcher("glob:" + inContainer.substring(slash + 1));
      try (var files = Files.list(hostDir)) {
        files.filter(f -> glob.matches(f.getFileName())).forEach(loaded::add);
      }
    }
    assertThat(loaded).as("rule files Prometheus loads in compose")
        .contains(root.resolve("deploy/prometheus/rules/otpflow.rules.yml"));
  }

  @Test
  void promtoolAcceptsTheAlertRulesAndTheirUnitTestsPass() throws Exception {
    Promtool.Result check = Promtool.run(null, "check", "rules", root.resolve("deploy/prometheus/rules/otpflow.rules.yml").toString());
    assertThat(check.exitCode()).as("promtool check rules:%n%s", check.output()).isZero();
    Promtool.Result test =
        Promtool.run(null, "test", "rules", root.resolve("deploy/prometheus/tests/otpflow.rules.test.yml").toString());
    assertThat(test.exitCode()).as("promtool test rules:%n%s", test.output()).isZero();
  }

  @Test
  void grafanaIsProvisionedWithPrometheusAndTheDashboard() throws IOException {
    Service grafana = onlyService("grafana/grafana");
    Service prometheus = onlyService("prom/prometheus");
    assertThat(grafana.node().path("depends_on").has(prometheus.name())).as("Grafana starts after Prometheus").isTrue();
    Path provisioning = hostPath(grafana, "/etc/grafana/provisioning");
    assertThat(provisioning).as("Grafana's provisioning folder is mounted").isNotNull().isDirectory();

    JsonNode datasources = YAML.readTree(provisioning.resolve("datasources/prometheus.yml").toFile()).path("datasources");
    assertThat(datasources).hasSize(1);
    JsonNode datasource = datasources.get(0);
    int prometheusPort = containerPort(prometheus.node().path("ports").get(0));
    assertThat(datasource.path("url").asText()).as("the data source is the compose Prometheus, at its container port")
        .isEqualTo("http://" + prometheus.name() + ":" + prometheusPort);
    String uid = datasource.path("uid").asText();

    JsonNode providers = YAML.readTree(provisioning.resolve("dashboards/otpflow.yml").toFile()).path("providers");
    String dashboardsInContainer = providers.get(0).path("options").path("path").asText();
    Path dashboards = hostPath(grafana, dashboardsInContainer);
    assertThat(dashboards).as("the dashboards folder the provider reads (%s) is mounted", dashboardsInContainer)
        .isNotNull().isEqualTo(root.resolve("deploy/grafana/dashboards"));
    JsonNode dashboard = JSON.readTree(dashboards.resolve("otpflow.json").toFile());
    assertThat(grafana.environment().get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
        .isEqualTo(dashboardsInContainer + "/otpflow.json");
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      titles.add(panel.path("title").asText());
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("datasource").path("uid").asText()).as("data source of panel %s", panel.path("title")).isEqualTo(uid);
        assertThat(panel.path("targets")).as("queries of panel %s", panel.path("title")).isNotEmpty();
        panel.path("targets").forEach(t -> assertThat(t.path("datasource").path("uid").asText()).isEqualTo(uid));
      }
    }
    assertThat(titles).as("dashboard rows").contains("Funnel", "Latency", "Failures", "Platform", "Cost");
  }

  @Test
  void theRulesAndTheDashboardQueryOnlyMetricsTheCatalogueLists() throws IOException {
    Set<String> documented = MetricsCatalogue.exposedNames();
    List<String> queries = new ArrayList<>();
    YAML.readTree(root.resolve("deploy/prometheus/rules/otpflow.rules.yml").toFile()).path("groups")
        .forEach(g -> g.path("rules").forEach(r -> queries.add(r.path("expr").asText())));
    JsonNode dashboard = JSON.readTree(root.resolve("deploy/grafana/dashboards/otpflow.json").toFile());
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
    dashboard.path("templating").path("list").forEach(v -> queries.add(v.path("definition").asText()));
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\botp_[a-z0-9_]+").matcher(String.join("\n", queries));
    while (m.find()) {
      used.add(m.group());
    }
    assertThat(used).as("otp_* series the alert rules and the dashboard query").hasSizeGreaterThan(15);
    assertThat(documented).as("docs/metrics.md's catalogue (with histogram parts)").containsAll(used);
  }

  private static Service onlyService(String imagePrefix) {
    List<Service> found = allServices(envExample).values().stream().filter(s -> s.image().startsWith(imagePrefix)).toList();
    assertThat(found).as("compose services running %s", imagePrefix).hasSize(1);
    return found.get(0);
  }

  /** The repository path behind a container path, through the service's bind mounts; null when none covers it. */
  private static Path hostPath(Service service, String containerPath) {
    for (Mount mount : service.mounts()) {
      if (mount.type().equals("bind") && under(containerPath, mount.target())) {
        return Path.of(mount.source() + containerPath.substring(mount.target().length()));
      }
    }
    return null;
  }

  // --- the files that stand in for .env and the tenants -----------------------------------------------

  @Test
  void theEnvExampleAndComposeFileAgree() throws IOException {
    String compose = Files.readString(root.resolve("docker-compose.yml"));
    Set<String> referenced = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(compose);
    while (m.find()) {
      referenced.add(m.group(1));
    }
    assertThat(envExample.keySet()).as("deploy/otpflow.env.example documents only variables compose uses")
        .isSubsetOf(referenced);
    assertThat(referenced).as("every ${...} in docker-compose.yml is documented in deploy/otpflow.env.example")
        .isSubsetOf(envExample.keySet());
  }

  @Test
  void filesTheConfigsReadAreMountedIntoTheirContainers() {
    SoftAssertions soft = new SoftAssertions();
    Map<String, String> push = new HashMap<>(envExample);
    push.putAll(pushMode());
    List<Service> services = new ArrayList<>(otpflowServices(envExample).values());
    services.addAll(otpflowServices(push).values());
    for (Service service : services) {
      service.environment().forEach((name, value) -> {
        if (name.endsWith("_FILE") && !value.isBlank()) {
          soft.assertThat(service.mounts()).as("%s of %s (%s) lies on a volume or bind mount", name, service.name(), value)
              .anyMatch(mount -> under(value, mount.target()));
        }
      });
      if (service.module().equals("sms-dispatcher") || service.module().equals("push-dispatcher")) {
        String outbox = service.environment().get("OTPFLOW_OUTBOX_FILE");
        soft.assertThat(service.mounts()).as("%s can write its outbox", service.name())
            .anyMatch(mount -> under(outbox, mount.target()) && !mount.readOnly());
      }
    }
    soft.assertAll();
  }

  // --- resolving the compose file -------------------------------------------------------------------

  private record Mount(String type, String source, String target, boolean readOnly) {}

  /** One compose service after anchors, merge keys and ${...} are resolved. */
  private record Service(String name, String image, Map<String, String> environment, List<Mount> mounts, JsonNode node) {
    /** The Maven module whose image this is ("otpflow/otp-issuer:0.1.0" → "otp-issuer"). */
    String module() {
      return image.substring("otpflow/".length()).replaceAll(":.*$", "");
    }
  }

  /** @param metricsPort where Prometheus finds /metrics: the gateway's management port, else the HTTP port */
  private record Built(Object config, int httpPort, int metricsPort, Set<String> asked) {
    Built(Object config, int httpPort, Set<String> asked) {
      this(config, httpPort, httpPort, asked);
    }
  }

  private static Map<String, Service> otpflowServices(Map<String, String> dotEnv) {
    Map<String, Service> otpflow = new TreeMap<>();
    allServices(dotEnv).forEach((name, service) -> {
      if (service.image().startsWith("otpflow/")) {
        assertThat(service.node().has("env_file"))
            .as("%s sets its variables under environment: with ${...}, so this test sees each one", name).isFalse();
        otpflow.put(name, service);
      }
    });
    assertThat(otpflow).as("otpflow services in docker-compose.yml").isNotEmpty();
    return otpflow;
  }

  private static Map<String, Service> allServices(Map<String, String> dotEnv) {
    JsonNode compose = JSON.valueToTree(interpolate(composeDocument, dotEnv, "docker-compose.yml"));
    Map<String, Service> services = new LinkedHashMap<>();
    compose.path("services").properties().forEach(entry -> {
      JsonNode node = entry.getValue();
      services.put(entry.getKey(),
          new Service(entry.getKey(), node.path("image").asText(""), environment(entry.getKey(), node.path("environment")),
              mounts(node.path("volumes")), node));
    });
    return services;
  }

  private static Map<String, String> environment(String service, JsonNode environment) {
    Map<String, String> vars = new LinkedHashMap<>();
    if (environment.isArray()) {
      for (JsonNode item : environment) {
        String[] kv = item.asText().split("=", 2);
        assertThat(kv).as("%s: environment entry '%s' has a value (no pass-through from the host)", service, item.asText())
            .hasSize(2);
        vars.put(kv[0], kv[1]);
      }
    } else {
      environment.properties().forEach(e -> {
        assertThat(e.getValue().isNull())
            .as("%s: %s has a value (no pass-through from the host)", service, e.getKey()).isFalse();
        vars.put(e.getKey(), e.getValue().asText());
      });
    }
    return vars;
  }

  private static List<Mount> mounts(JsonNode volumes) {
    List<Mount> mounts = new ArrayList<>();
    for (JsonNode v : volumes) {
      String type;
      String source;
      String target;
      boolean readOnly;
      if (v.isTextual()) {
        String[] parts = v.asText().split(":");
        source = parts[0];
        target = parts.length > 1 ? parts[1] : parts[0];
        readOnly = parts.length > 2 && parts[2].contains("ro");
        type = source.startsWith(".") || source.startsWith("/") ? "bind" : "volume";
      } else {
        type = v.path("type").asText("volume");
        source = v.path("source").asText();
        target = v.path("target").asText();
        readOnly = v.path("read_only").asBoolean(false);
      }
      if (type.equals("bind")) {
        source = root.resolve(source).normalize().toString(); // Compose resolves against the project folder
      }
      mounts.add(new Mount(type, source, target, readOnly));
    }
    return mounts;
  }

  /**
   * The environment the service sees, with paths inside bind mounts pointing at the repository's files
   * instead (the tenants file), then its real config built from it.
   */
  private static Built build(Service service) {
    Map<String, String> vars = new HashMap<>(service.environment());
    vars.replaceAll((name, value) -> {
      for (Mount mount : service.mounts()) {
        if (mount.type().equals("bind") && !value.isBlank() && under(value, mount.target())) {
          return mount.source() + value.substring(mount.target().length());
        }
      }
      return value;
    });
    Env env = new Env(vars);
    try {
      return switch (service.module()) {
        case "gateway" -> {
          GatewayConfig c = GatewayConfig.fromEnv(env);
          yield new Built(c, c.httpPort(), c.managementPort(), env.asked());
        }
        case "otp-issuer" -> {
          IssuerConfig c = IssuerConfig.fromEnv(env);
          yield new Built(c, c.httpPort(), env.asked());
        }
        case "verifier" -> {
          VerifierConfig c = VerifierConfig.fromEnv(env);
          yield new Built(c, c.httpPort(), env.asked());
        }
        case "sms-dispatcher" -> {
          DispatcherConfig c = DispatcherConfig.fromEnv(env);
          yield new Built(c, c.httpPort(), env.asked());
        }
        case "push-dispatcher" -> {
          PushDispatcherConfig c = PushDispatcherConfig.fromEnv(env);
          yield new Built(c, c.httpPort(), env.asked());
        }
        default -> throw new AssertionError(
            "compose service " + service.name() + " runs " + service.image() + ", which no otpflow module builds");
      };
    } catch (IllegalArgumentException e) {
      throw new AssertionError("The configuration of compose service " + service.name() + " is rejected: " + e.getMessage(), e);
    }
  }

  private static Object only(Map<String, Built> built, String module) {
    List<Object> configs = new ArrayList<>();
    built.forEach((name, b) -> {
      if (module.equals(switch (b.config()) {
        case GatewayConfig g -> "gateway";
        case IssuerConfig i -> "otp-issuer";
        case VerifierConfig v -> "verifier";
        case DispatcherConfig d -> "sms-dispatcher";
        case PushDispatcherConfig d -> "push-dispatcher";
        default -> "";
      })) {
        configs.add(b.config());
      }
    });
    assertThat(configs).as("compose services running %s", module).hasSize(1);
    return configs.get(0);
  }

  // --- Compose's ${...} and .env, the subset this repository uses --------------------------------

  private static final Pattern REFERENCE =
      Pattern.compile("\\$(?:(\\$)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}$]*))?\\})");

  /** Resolves ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error} and $$ in every string value. */
  private static Object interpolate(Object node, Map<String, String> vars, String where) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), interpolate(v, vars, where + "." + k)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(interpolate(list.get(i), vars, where + "[" + i + "]"));
      }
      return out;
    }
    if (!(node instanceof String s)) {
      return node;
    }
    StringBuilder out = new StringBuilder();
    Matcher m = REFERENCE.matcher(s);
    int last = 0;
    while (m.find()) {
      assertThat(s.substring(last, m.start())).as("%s: only ${NAME...} forms this test understands: %s", where, s)
          .doesNotContain("$");
      out.append(s, last, m.start());
      last = m.end();
      if (m.group(1) != null) {
        out.append('$');
        continue;
      }
      String name = m.group(2);
      String op = m.group(3);
      String arg = m.group(4);
      String value = vars.get(name);
      boolean missing = op != null && op.startsWith(":") ? value == null || value.isEmpty() : value == null;
      if (op == null) {
        assertThat(value).as("%s: ${%s} is set by deploy/otpflow.env.example", where, name).isNotNull();
        out.append(value);
      } else if (op.endsWith("-")) {
        out.append(missing ? arg : value);
      } else {
        if (missing) {
          fail("%s: Compose would refuse to start: %s", where, arg);
        }
        out.append(value);
      }
    }
    assertThat(s.substring(last)).as("%s: only ${NAME...} forms this test understands: %s", where, s).doesNotContain("$");
    return out.append(s.substring(last)).toString();
  }

  /** NAME=value lines; blank lines and lines starting with # are skipped; matching outer quotes are removed. */
  private static Map<String, String> parseEnvFile(Path file) throws IOException {
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Matcher m = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)").matcher(l);
      assertThat(m.matches()).as("%s: '%s' is NAME=value", file.getFileName(), l).isTrue();
      String value = m.group(2).strip();
      if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      assertThat(vars.put(m.group(1), value)).as("%s sets %s once", file.getFileName(), m.group(1)).isNull();
    }
    return vars;
  }

  /** The example tenant's API key, as deploy/otpflow.env.example documents it. */
  private static String documentedApiKey() {
    try {
      Matcher m = Pattern.compile("example API key:\\s*(\\S+)")
          .matcher(Files.readString(root.resolve("deploy/otpflow.env.example")));
      assertThat(m.find()).as("deploy/otpflow.env.example documents the example tenant's API key").isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // --- small helpers --------------------------------------------------------------------------------

  private static boolean under(String path, String dir) {
    String d = dir.endsWith("/") ? dir : dir + "/";
    return path.equals(dir) || path.startsWith(d);
  }

  private static int containerPort(JsonNode published) {
    if (published.isObject()) {
      return published.path("target").asInt();
    }
    String[] parts = published.asText().replaceAll("/(tcp|udp)$", "").split(":");
    return Integer.parseInt(parts[parts.length - 1]);
  }


  private static Document xml(Path file) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(file.toFile());
  }

  private static Node node(Document doc, String xpath) throws Exception {
    return (Node) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODE);
  }

  private static String text(Document doc, String xpath) throws Exception {
    Node n = node(doc, xpath);
    return n == null ? null : n.getTextContent().strip();
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("No docker-compose.yml above " + Path.of("").toAbsolutePath());
  }
}
