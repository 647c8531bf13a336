package io.otpflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One benchmarked thing (raw Kafka, raw Redis send or check, platform send or check): its capacity
 * search, then a fixed-rate run at each level (a percentage of the maximum found) with what each
 * process spent on it.
 */
record Section(String name, Capacity.Result capacity, List<Level> levels) {

  /** One fixed-rate run and the processes' CPU per request, memory and the machine's load after it. */
  record Level(int percent, Run run, Map<String, Double> cpuMillisPerRequest, Map<String, Double> rssMib,
      List<Double> loadAverage) {}

  static Section measure(Target target, List<Integer> percents, java.time.Duration warmup, BenchOptions o, double hint,
      Processes processes, Consumer<String> log) throws Exception {
    Double given = o.givenMax().get(target.name());
    Capacity.Result capacity = given != null
        ? Capacity.given(target, given, warmup, log)
        : Capacity.find(target, o, warmup, hint, log);
    List<Level> levels = new ArrayList<>();
    for (int percent : percents) {
      double rate = Math.max(1, capacity.max() * percent / 100.0);
      Map<String, Double> cpuBefore = processes.cpuSeconds();
      Run run = LoadGenerator.fixedRate(target, rate, o.warmup(), o.measure(), DRAIN);
      Map<String, Double> cpuAfter = processes.cpuSeconds();
      Map<String, Double> perRequest = new LinkedHashMap<>();
      long requests = Math.max(1, run.fired());
      cpuAfter.forEach((p, s) -> perRequest.put(p, (s - cpuBefore.getOrDefault(p, s)) * 1000 / requests));
      Level level = new Level(percent, run, perRequest, processes.rssMib(), Processes.loadAverage());
      levels.add(level);
      log.accept(String.format("%s at %d%% (%.0f/s): %s; %d errors, %d dropped; generator lag max %.1f ms",
          target.name(), percent, rate, latencies(run), run.errors(), run.dropped(), run.maxLagMillis()));
    }
    return new Section(target.name(), capacity, levels);
  }

  /** After a level's last request: room for the gateway's own timeout (3 s) to answer, plus the SMS leg. */
  private static final java.time.Duration DRAIN = java.time.Duration.ofSeconds(5);

  private static String latencies(Run run) {
    StringBuilder s = new StringBuilder();
    for (String stage : run.histograms().keySet()) {
      if (!s.isEmpty()) {
        s.append("; ");
      }
      s.append(String.format("%s p50 %.1f p99 %.1f p99.9 %.1f ms", stage, run.percentileMillis(stage, 50),
          run.percentileMillis(stage, 99), run.percentileMillis(stage, 99.9)));
    }
    return s.isEmpty() ? "no samples" : s.toString();
  }

  Level level(int percent) {
    return levels.stream().filter(l -> l.percent() == percent).findFirst().orElse(null);
  }

  long errors() {
    return capacity.errors() + levels.stream().mapToLong(l -> l.run().errors()).sum();
  }

  long dropped() {
    return capacity.dropped() + levels.stream().mapToLong(l -> l.run().dropped()).sum();
  }
}
