package io.otpflow.bench;

import io.otpflow.common.Env;
import io.otpflow.embedded.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How long and how hard to run. Each option is a flag ({@code --measure=30s}) or an environment
 * variable ({@code OTPFLOW_BENCH_MEASURE=30s}); a flag wins. {@code --quick} is the smoke test's tiny
 * run, {@code --long} a longer one for a quiet machine; single flags still override a preset.
 *
 * @param warmup per latency level, not recorded
 * @param measure per latency level, recorded
 * @param probeWarmup per capacity probe, not recorded
 * @param probe per capacity probe, recorded
 * @param saturateWarmup before that run, unrecorded: JIT compilation of the path under test
 * @param platformWarmup the same for send and check, longer: the services' JIT keeps compiling for
 *     tens of seconds, and until it is done their CPU per request is several times higher
 * @param saturate the closed-loop run that gives the first estimate of capacity
 * @param concurrency requests in flight in that closed-loop run
 * @param levels percentages of the maximum at which the platform's latency is measured
 * @param rawLevels the same for the raw Kafka and Redis baselines (the targets need their 50 %)
 * @param maxRate the capacity search never goes above this (requests/s); 0 = no cap
 * @param givenMax per section name ({@code send:400,check:3000}): skip its capacity search and take
 *     this as its maximum, so two runs (before and after a change) compare the same fixed rates
 * @param sustainP99 a probe counts as sustained only if its p99 stays below this (and nothing failed)
 * @param sections which parts to run: raw-kafka, raw-redis, send, check
 * @param out folder for the JSON and Markdown reports
 * @param jfr processes to record with Java Flight Recorder during the platform sections (services, kafka)
 * @param servicesJvmOptions options of the services' JVM
 * @param partitions partitions of every topic, platform and raw alike (as ./otpflow up: 3)
 * @param kafkaJvm the embedded broker's JVM profile: {@code throughput} (as ./otpflow up) or {@code quick-start} (as tests)
 */
record BenchOptions(
    Duration warmup,
    Duration measure,
    Duration probeWarmup,
    Duration probe,
    Duration saturateWarmup,
    Duration platformWarmup,
    Duration saturate,
    int concurrency,
    List<Integer> levels,
    List<Integer> rawLevels,
    double maxRate,
    Map<String, Double> givenMax,
    Duration sustainP99,
    Set<String> sections,
    Path out,
    Set<String> jfr,
    List<String> servicesJvmOptions,
    int partitions,
    KafkaBroker.JvmProfile kafkaJvm) {

  static final List<String> ALL_SECTIONS = List.of("raw-kafka", "raw-redis", "send", "check");
  private static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("warmup", "2s"),
      Map.entry("measure", "6s"),
      Map.entry("probe-warmup", "1s"),
      Map.entry("probe", "3s"),
      Map.entry("saturate-warmup", "4s"),
      Map.entry("platform-warmup", "10s"),
      Map.entry("saturate", "3s"),
      Map.entry("concurrency", "64"),
      Map.entry("levels", "25,50,80"),
      Map.entry("raw-levels", "50"),
      Map.entry("max-rate", "0"),
      Map.entry("max", ""),
      Map.entry("sustain-p99", "300ms"),
      Map.entry("sections", String.join(",", ALL_SECTIONS)),
      Map.entry("out", "bench-results"),
      Map.entry("jfr", ""),
      Map.entry("services-jvm-options", "-Xms256m -Xmx1g"),
      Map.entry("partitions", "3"),
      Map.entry("kafka-jvm", "throughput"));
  private static final Map<String, Map<String, String>> PRESETS = Map.of(
      "quick", Map.of("warmup", "500ms", "measure", "1s", "probe-warmup", "300ms", "probe", "1s", "saturate-warmup", "1s", "platform-warmup", "1s",
          "saturate", "1s",
          "concurrency", "4", "max-rate", "20"),
      "long", Map.of("warmup", "10s", "measure", "60s", "probe-warmup", "3s", "probe", "10s", "saturate-warmup", "20s", "platform-warmup", "60s",
          "saturate", "10s", "raw-levels", "25,50,80"));

  BenchOptions {
    if (levels.isEmpty() || rawLevels.isEmpty() || Stream.concat(levels.stream(), rawLevels.stream()).anyMatch(l -> l < 1 || l > 100)) {
      throw new IllegalArgumentException("--levels must be percentages from 1 to 100.");
    }
    if (concurrency < 1 || partitions < 1) {
      throw new IllegalArgumentException("--concurrency and --partitions must be at least 1.");
    }
    if (!ALL_SECTIONS.containsAll(sections)) {
      throw new IllegalArgumentException("--sections takes " + ALL_SECTIONS + ", got " + sections + ".");
    }
  }

  static BenchOptions parse(String[] args, Map<String, String> environment) {
    Map<String, String> values = new HashMap<>(DEFAULTS);
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("Unknown argument '" + arg + "'; flags look like --measure=30s.");
      }
      String[] kv = arg.substring(2).split("=", 2);
      flags.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    for (String preset : PRESETS.keySet()) {
      if (flags.remove(preset) != null || "true".equals(environment.get("OTPFLOW_BENCH_" + preset.toUpperCase(Locale.ROOT)))) {
        values.putAll(PRESETS.get(preset));
      }
    }
    for (String key : DEFAULTS.keySet()) {
      String fromEnv = environment.get("OTPFLOW_BENCH_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (fromEnv != null) {
        values.put(key, fromEnv);
      }
    }
    for (var flag : flags.entrySet()) {
      if (!DEFAULTS.containsKey(flag.getKey())) {
        throw new IllegalArgumentException("Unknown flag --" + flag.getKey() + "; see ./otpflow help.");
      }
      values.put(flag.getKey(), flag.getValue());
    }
    return new BenchOptions(
        duration(values, "warmup"), duration(values, "measure"), duration(values, "probe-warmup"),
        duration(values, "probe"), duration(values, "saturate-warmup"),
        duration(values, "platform-warmup"), duration(values, "saturate"),
        Integer.parseInt(values.get("concurrency")), percentages(values.get("levels")), percentages(values.get("raw-levels")),
        Double.parseDouble(values.get("max-rate")), givenMax(values.get("max")), duration(values, "sustain-p99"),
        words(values.get("sections")), Path.of(values.get("out")), words(values.get("jfr")),
        List.of(values.get("services-jvm-options").trim().split("\\s+")), Integer.parseInt(values.get("partitions")),
        KafkaBroker.JvmProfile.valueOf(values.get("kafka-jvm").toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  boolean runs(String section) {
    return sections.contains(section);
  }

  /** The flags that reproduce this run, for the report. */
  Map<String, Object> describe() {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("warmup", warmup.toString());
    d.put("measure", measure.toString());
    d.put("probe_warmup", probeWarmup.toString());
    d.put("probe", probe.toString());
    d.put("saturate_warmup", saturateWarmup.toString());
    d.put("platform_warmup", platformWarmup.toString());
    d.put("saturate", saturate.toString());
    d.put("concurrency", concurrency);
    d.put("levels", levels);
    d.put("raw_levels", rawLevels);
    d.put("max_rate", maxRate);
    d.put("max", givenMax);
    d.put("sustain_p99", sustainP99.toString());
    d.put("sections", new ArrayList<>(sections));
    d.put("services_jvm_options", servicesJvmOptions);
    d.put("partitions", partitions);
    d.put("kafka_jvm", kafkaJvm.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    d.put("jfr", new ArrayList<>(jfr));
    return d;
  }

  private static Duration duration(Map<String, String> values, String key) {
    return Env.parseDuration("--" + key, values.get(key));
  }

  private static Map<String, Double> givenMax(String list) {
    Map<String, Double> given = new java.util.LinkedHashMap<>();
    for (String pair : words(list)) {
      String[] kv = pair.split(":", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("--max takes section:rate pairs like send:400,check:3000.");
      }
      given.put(kv[0].trim(), Double.valueOf(kv[1].trim()));
    }
    return given;
  }

  private static List<Integer> percentages(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).map(Integer::valueOf).toList();
  }

  private static Set<String> words(String list) {
    Set<String> set = new LinkedHashSet<>();
    for (String w : list.split(",")) {
      if (!w.isBlank()) {
        set.add(w.trim());
      }
    }
    return set;
  }
}
