package io.otpflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.otpflow.common.Json;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The run as JSON (for tools and for the next run to compare with) and as Markdown (for people);
 * the Markdown is made from the JSON, so both always say the same.
 */
final class Report {
  static final String SCHEMA = "otpflow-bench/1";
  private static final double[] PERCENTILES = {50, 90, 99, 99.9};

  private Report() {}

  static ObjectNode section(Section s) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("max_rate", round(s.capacity().max()));
    n.put("max_sustained", s.capacity().found());
    n.put("max_bounded", s.capacity().bounded());
    ObjectNode estimate = n.putObject("closed_loop_estimate");
    estimate.put("in_flight", s.capacity().concurrency());
    estimate.put("throughput", round(s.capacity().saturated()));
    ArrayNode probes = n.putArray("probes");
    for (Capacity.Probe p : s.capacity().probes()) {
      ObjectNode pn = probes.addObject();
      pn.put("rate", round(p.rate()));
      pn.put("achieved", round(p.achieved()));
      pn.put("p99_ms", round(p.p99Millis()));
      pn.put("errors", p.errors());
      pn.put("dropped", p.dropped());
      pn.put("sustained", p.sustained());
    }
    ArrayNode levels = n.putArray("levels");
    for (Section.Level l : s.levels()) {
      levels.add(level(l));
    }
    n.put("errors", s.errors());
    n.put("dropped", s.dropped());
    return n;
  }

  private static ObjectNode level(Section.Level l) {
    Run run = l.run();
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("percent", l.percent());
    n.put("rate", round(run.rate));
    n.put("achieved", round(run.achievedRate()));
    n.put("requests", run.fired());
    n.put("errors", run.errors());
    n.put("dropped", run.dropped());
    ObjectNode counts = n.putObject("outcomes");
    run.counts().forEach(counts::put);
    ObjectNode latency = n.putObject("latency_ms");
    run.histograms().forEach((stage, h) -> latency.set(stage, histogram(h)));
    n.put("generator_max_lag_ms", round(run.maxLagMillis()));
    ObjectNode cpu = n.putObject("cpu_ms_per_request");
    l.cpuMillisPerRequest().forEach((p, v) -> cpu.put(p, round(v)));
    ObjectNode rss = n.putObject("rss_mib");
    l.rssMib().forEach((p, v) -> rss.put(p, round(v)));
    ArrayNode load = n.putArray("load_average");
    l.loadAverage().forEach(load::add);
    return n;
  }

  private static ObjectNode histogram(Histogram h) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("count", h.getTotalCount());
    for (double p : PERCENTILES) {
      n.put("p" + (p == Math.floor(p) ? Integer.toString((int) p) : Double.toString(p).replace(".", "")),
          round(h.getValueAtPercentile(p) / 1000.0));
    }
    n.put("max", round(h.getMaxValue() / 1000.0));
    n.put("mean", round(h.getMean() / 1000.0));
    return n;
  }

  static double round(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? 0 : Math.round(v * 100) / 100.0;
  }

  /** The run in Markdown: summary, targets, one table per section, processes. */
  static String markdown(JsonNode r) {
    StringBuilder md = new StringBuilder();
    md.append("# otpflow benchmark, ").append(r.path("started_at").asText()).append("\n\n");
    md.append("Command: `").append(r.path("command").asText()).append("`  \n");
    JsonNode m = r.path("machine");
    md.append("Machine: ").append(m.path("cores").asInt()).append(" cores, ")
        .append(m.path("memory_gib").asText()).append(" GiB, ").append(m.path("os").asText()).append(", Java ")
        .append(m.path("java").asText()).append("  \n");
    md.append("Load average (1/5/15 min) at start ").append(r.path("load_average").path("start"))
        .append(", at end ").append(r.path("load_average").path("end")).append("; run took ")
        .append(r.path("duration_s").asText()).append(" s\n\n");
    md.append("## Summary\n\n| | max/s | p50 ms at 50% | p99 ms at 50% | p99.9 ms at 50% | errors | dropped |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|\n");
    r.path("sections").fields().forEachRemaining(e -> {
      JsonNode s = e.getValue();
      JsonNode half = halfLevel(s);
      JsonNode answer = half.path("latency_ms").path(Request.ANSWER);
      md.append("| ").append(e.getKey()).append(" | ").append(s.path("max_rate").asText())
          .append(s.path("max_sustained").asBoolean() ? "" : " (not sustained)")
          .append(s.path("max_bounded").asBoolean() ? "" : " (at least)").append(" | ")
          .append(answer.path("p50").asText("-")).append(" | ").append(answer.path("p99").asText("-")).append(" | ")
          .append(answer.path("p999").asText("-")).append(" | ").append(s.path("errors").asText()).append(" | ")
          .append(s.path("dropped").asText()).append(" |\n");
    });
    md.append("\nRatios: ");
    r.path("ratios").fields().forEachRemaining(e -> md.append('`').append(e.getKey()).append("` = ")
        .append(e.getValue().asText()).append("  "));
    md.append("\n\n## Targets\n\n| target | value | limit | met |\n|---|---:|---:|---|\n");
    for (JsonNode t : r.path("targets")) {
      md.append("| ").append(t.path("name").asText()).append(" | ").append(t.path("value").asText()).append(" | ")
          .append(t.path("limit").asText()).append(" | ").append(t.path("met").asBoolean() ? "yes" : "**no**")
          .append(" |\n");
    }
    r.path("sections").fields().forEachRemaining(e -> sectionMarkdown(md, e.getKey(), e.getValue()));
    md.append("\n## Processes\n\nResident memory (MiB) over the whole run:\n\n| process | pid | first | max | last |\n")
        .append("|---|---:|---:|---:|---:|\n");
    r.path("processes").fields().forEachRemaining(e -> md.append("| ").append(e.getKey()).append(" | ")
        .append(e.getValue().path("pid").asText()).append(" | ").append(e.getValue().path("rss_mib").path("first").asText())
        .append(" | ").append(e.getValue().path("rss_mib").path("max").asText()).append(" | ")
        .append(e.getValue().path("rss_mib").path("last").asText()).append(" |\n"));
    md.append("\nLatencies are measured from each request's intended send time (open loop, so queueing behind a ")
        .append("slow request is counted: no coordinated omission), in ms, warm-up excluded. `answer` is the HTTP ")
        .append("answer (or the reply, for raw Kafka; the last Redis call, for raw Redis); `provider` is the fake ")
        .append("Twilio receiving the SMS. See docs/performance.md for how to read this.\n");
    return md.toString();
  }

  private static JsonNode halfLevel(JsonNode section) {
    JsonNode best = Json.MAPPER.createObjectNode();
    int bestDistance = Integer.MAX_VALUE;
    for (JsonNode l : section.path("levels")) {
      int d = Math.abs(l.path("percent").asInt() - 50);
      if (d < bestDistance) {
        best = l;
        bestDistance = d;
      }
    }
    return best;
  }

  private static void sectionMarkdown(StringBuilder md, String name, JsonNode s) {
    md.append("\n## ").append(name).append("\n\nMaximum sustained: ").append(s.path("max_rate").asText())
        .append("/s (closed-loop estimate with ").append(s.path("closed_loop_estimate").path("in_flight").asText())
        .append(" in flight: ").append(s.path("closed_loop_estimate").path("throughput").asText()).append("/s). Probes: ");
    for (JsonNode p : s.path("probes")) {
      md.append(p.path("rate").asText()).append("/s ").append(p.path("sustained").asBoolean() ? "held" : "failed")
          .append(" (p99 ").append(p.path("p99_ms").asText()).append(" ms");
      if (p.path("errors").asLong() + p.path("dropped").asLong() > 0) {
        md.append(", ").append(p.path("errors").asText()).append(" errors, ").append(p.path("dropped").asText())
            .append(" dropped");
      }
      md.append("); ");
    }
    md.append("\n\n| level | rate/s | achieved/s | stage | n | p50 | p90 | p99 | p99.9 | max | errors | dropped | CPU ms/req |\n")
        .append("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (JsonNode l : s.path("levels")) {
      StringBuilder cpu = new StringBuilder();
      l.path("cpu_ms_per_request").fields().forEachRemaining(c -> cpu.append(cpu.isEmpty() ? "" : ", ")
          .append(c.getKey()).append(' ').append(c.getValue().asText()));
      boolean first = true;
      for (Map.Entry<String, JsonNode> stage : iterable(l.path("latency_ms"))) {
        JsonNode h = stage.getValue();
        md.append("| ").append(first ? l.path("percent").asText() + "%" : "").append(" | ")
            .append(first ? l.path("rate").asText() : "").append(" | ").append(first ? l.path("achieved").asText() : "")
            .append(" | ").append(stage.getKey()).append(" | ").append(h.path("count").asText()).append(" | ")
            .append(h.path("p50").asText()).append(" | ").append(h.path("p90").asText()).append(" | ")
            .append(h.path("p99").asText()).append(" | ").append(h.path("p999").asText()).append(" | ")
            .append(h.path("max").asText()).append(" | ").append(first ? l.path("errors").asText() : "").append(" | ")
            .append(first ? l.path("dropped").asText() : "").append(" | ").append(first ? cpu : "").append(" |\n");
        first = false;
      }
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }
}
