package io.otpflow.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.otpflow.common.Json;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.RedisServer;
import io.otpflow.testing.FakeTwilio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * {@code ./otpflow bench}: the platform's send and check throughput and latency, beside the raw
 * Kafka round trip and the raw Redis work they are built on, all measured in the same run on the
 * same machine, so their ratios mean something even when the machine is busy. Starts the embedded
 * Kafka broker (the child JVM {@code ./otpflow up} uses), a real Redis, a fake Twilio over HTTP and
 * the services in a JVM of their own; writes JSON and Markdown reports and prints the summary.
 */
public final class Bench {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** Where the reports of a run went, and the JSON itself. */
  record Outcome(Path json, Path markdown, JsonNode report) {}

  private Bench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("otpflow bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Outcome outcome = run(options, ("./otpflow bench " + String.join(" ", args)).trim());
    System.out.println();
    System.out.println(Report.markdown(outcome.report()));
    System.out.println("Reports: " + outcome.json() + " and " + outcome.markdown());
    System.exit(0); // the embedded broker's and Vert.x's threads would keep the JVM alive otherwise
  }

  static Outcome run(BenchOptions o, String command) throws Exception {
    quietDomainLogs();
    Instant started = Instant.now();
    String stamp = STAMP.format(started);
    Files.createDirectories(o.out());
    Path data = o.out().resolve("run-" + stamp).toAbsolutePath();
    Files.createDirectories(data);
    List<Double> loadAtStart = Processes.loadAverage();
    log("starting Kafka (child JVM), Redis, a fake Twilio and the services' JVM; data in " + data);
    ObjectNode report = Json.MAPPER.createObjectNode();
    ObjectNode sections = Json.MAPPER.createObjectNode();
    Map<String, Section> results = new LinkedHashMap<>();
    try (KafkaBroker kafka = KafkaBroker.start(data.resolve("kafka"), 0, o.kafkaJvm());
        RedisServer redis = RedisServer.start(data.resolve("redis"), 0);
        FakeTwilio twilio = FakeTwilio.start();
        BenchPlatform platform = BenchPlatform.start(o, kafka, redis, twilio, data);
        Processes processes = new Processes(platform.pids())) {
      measureAll(o, platform, processes, results);
      results.forEach((name, s) -> sections.set(name, Report.section(s)));
      ObjectNode procs = report.putObject("processes");
      processes.rssSummary().forEach((name, rss) -> {
        ObjectNode p = procs.putObject(name);
        p.put("pid", processes.pids().get(name));
        ObjectNode r = p.putObject("rss_mib");
        rss.forEach((k, v) -> r.put(k, Report.round(v)));
      });
      report.put("unexpected_sms", platform.http().unexpectedSms());
    }
    Instant finished = Instant.now();
    ObjectNode top = Json.MAPPER.createObjectNode();
    top.put("schema", Report.SCHEMA);
    top.put("started_at", started.toString());
    top.put("finished_at", finished.toString());
    top.put("duration_s", Report.round((finished.toEpochMilli() - started.toEpochMilli()) / 1000.0));
    top.put("command", command);
    top.set("options", Json.MAPPER.valueToTree(o.describe()));
    top.set("machine", machine());
    ObjectNode load = top.putObject("load_average");
    load.set("start", Json.MAPPER.valueToTree(loadAtStart));
    load.set("end", Json.MAPPER.valueToTree(Processes.loadAverage()));
    top.set("sections", sections);
    top.set("ratios", ratios(results));
    top.set("targets", targets(results));
    long errors = results.values().stream().mapToLong(Section::errors).sum();
    long dropped = results.values().stream().mapToLong(Section::dropped).sum();
    top.put("errors_total", errors);
    top.put("dropped_total", dropped);
    top.setAll(report);
    Path json = o.out().resolve("bench-" + stamp + ".json");
    Path md = o.out().resolve("bench-" + stamp + ".md");
    Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(top));
    Files.writeString(md, Report.markdown(top));
    Files.copy(json, o.out().resolve("latest.json"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(md, o.out().resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);
    deleteTree(data.resolve("kafka"));
    deleteTree(data.resolve("redis"));
    return new Outcome(json, md, top);
  }

  private static void measureAll(BenchOptions o, BenchPlatform p, Processes processes, Map<String, Section> results)
      throws Exception {
    double kafkaMax = 5000;
    if (o.runs("raw-kafka")) {
      try (RawKafka raw = new RawKafka(p.rawKafkaSettings())) {
        Section s = Section.measure(raw, o.rawLevels(), o.saturateWarmup(), o, kafkaMax, processes, Bench::log);
        results.put("raw_kafka", s);
        kafkaMax = s.capacity().max();
      }
    }
    double redisSendMax = 2000;
    double redisCheckMax = kafkaMax;
    if (o.runs("raw-redis")) {
      Section send = Section.measure(p.rawRedis().send(), o.rawLevels(), o.saturateWarmup(), o, redisSendMax,
          processes, Bench::log);
      results.put("raw_redis_send", send);
      redisSendMax = send.capacity().max();
      Section check = Section.measure(p.rawRedis().check(), o.rawLevels(), o.saturateWarmup(), o,
          Math.max(2000, 4 * redisSendMax), processes, Bench::log);
      results.put("raw_redis_check", check);
      redisCheckMax = check.capacity().max();
    }
    p.startRecording();
    try {
      if (o.runs("send")) {
        results.put("send", Section.measure(p.http().send(), o.levels(), o.platformWarmup(), o, kafkaMax, processes, Bench::log));
      }
      if (o.runs("check")) {
        // A check does the raw check's Redis work and more: it cannot go faster than that.
        results.put("check", Section.measure(p.http().check(), o.levels(), o.platformWarmup(), o,
            Math.min(kafkaMax, redisCheckMax), processes, Bench::log));
      }
    } finally {
      p.stopRecording();
    }
  }

  private static ObjectNode ratios(Map<String, Section> r) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    ratio(n, "send_ratio", r.get("send"), r.get("raw_kafka"));
    ratio(n, "check_ratio", r.get("check"), r.get("raw_kafka"));
    ratio(n, "check_redis_ratio", r.get("check"), r.get("raw_redis_check"));
    ratio(n, "send_redis_ratio", r.get("send"), r.get("raw_redis_send"));
    return n;
  }

  private static void ratio(ObjectNode n, String name, Section platform, Section raw) {
    if (platform != null && raw != null && raw.capacity().max() > 0) {
      n.put(name, Math.round(platform.capacity().max() / raw.capacity().max() * 1000) / 1000.0);
    }
  }

  /** The targets, each with the value measured in this run. */
  private static ArrayNode targets(Map<String, Section> r) {
    ArrayNode t = Json.MAPPER.createArrayNode();
    Section kafka = r.get("raw_kafka");
    Section send = r.get("send");
    Section check = r.get("check");
    if (kafka != null && send != null) {
      target(t, "send_ratio >= 0.25", send.capacity().max() / kafka.capacity().max(), 0.25, true);
    }
    if (kafka != null && check != null) {
      target(t, "check_ratio >= 0.4", check.capacity().max() / kafka.capacity().max(), 0.4, true);
    }
    double rawP99 = kafka == null ? Double.NaN : p99AtHalf(kafka);
    if (send != null && !Double.isNaN(rawP99)) {
      target(t, "send HTTP p99 at 50% <= 2 x raw Kafka p99 at 50% + 10 ms", p99AtHalf(send), 2 * rawP99 + 10, false);
    }
    if (check != null && !Double.isNaN(rawP99)) {
      target(t, "check HTTP p99 at 50% <= 2 x raw Kafka p99 at 50% + 5 ms", p99AtHalf(check), 2 * rawP99 + 5, false);
    }
    long errors = r.values().stream().mapToLong(Section::errors).sum();
    long dropped = r.values().stream().mapToLong(Section::dropped).sum();
    target(t, "no errors and no dropped requests", errors + dropped, 0, false);
    return t;
  }

  private static double p99AtHalf(Section s) {
    Section.Level half = s.levels().stream().min(Comparator.comparingInt(l -> Math.abs(l.percent() - 50))).orElse(null);
    return half == null ? Double.NaN : half.run().percentileMillis(Request.ANSWER, 99);
  }

  private static void target(ArrayNode t, String name, double value, double limit, boolean atLeast) {
    ObjectNode n = t.addObject();
    n.put("name", name);
    n.put("value", Report.round(value));
    n.put("limit", Report.round(limit));
    n.put("met", !Double.isNaN(value) && (atLeast ? value >= limit : value <= limit));
  }

  private static ObjectNode machine() {
    ObjectNode m = Json.MAPPER.createObjectNode();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory_gib", Report.round(memoryKb() / 1024.0 / 1024.0));
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
    return m;
  }

  private static long memoryKb() {
    return procLine("/proc/meminfo", "MemTotal:").map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
  }

  private static String cpuModel() {
    return procLine("/proc/cpuinfo", "model name").map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
  }

  private static java.util.Optional<String> procLine(String file, String prefix) {
    try (Stream<String> lines = Files.lines(Path.of(file))) {
      return lines.filter(l -> l.startsWith(prefix)).findFirst();
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** The raw Redis section runs the services' domain classes in this JVM; their per-request INFO lines are noise here. */
  private static void quietDomainLogs() {
    for (String name : List.of("io.otpflow.issuer", "io.otpflow.verifier", "io.otpflow.sms")) {
      if (LoggerFactory.getLogger(name) instanceof Logger logger) {
        logger.setLevel(Level.WARN);
      }
    }
  }

  static void log(String line) {
    System.out.printf("bench %s  %s%n", DateTimeFormatter.ISO_LOCAL_TIME.format(java.time.LocalTime.now()).substring(0, 8), line);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
