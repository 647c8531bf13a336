package io.otpflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.otpflow.common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness works end to end on a tiny run (capped at a few requests per second, about a second
 * per step): every section is measured and reported in well-formed JSON and Markdown, with no
 * errors and nothing dropped. It asserts what the run produced, never how fast anything was.
 */
class BenchSmokeTest {

  @Test
  void aTinyRunReportsEverySectionWithoutErrors(@TempDir Path out) throws Exception {
    BenchOptions options = BenchOptions.parse(new String[] {"--quick", "--max-rate=10", "--out=" + out}, Map.of());

    Bench.Outcome outcome = Bench.run(options, "BenchSmokeTest");

    JsonNode report = Json.MAPPER.readTree(Files.readString(outcome.json()));
    assertThat(report.path("schema").asText()).isEqualTo(Report.SCHEMA);
    for (String section : List.of("raw_kafka", "raw_redis_send", "raw_redis_check", "send", "check")) {
      JsonNode s = report.path("sections").path(section);
      assertThat(s.path("max_sustained").asBoolean()).as(section + " found a sustained rate").isTrue();
      assertThat(s.path("max_rate").asDouble()).as(section).isPositive();
      assertThat(s.path("levels")).as(section + " levels").hasSize(section.startsWith("raw") ? 1 : 3);
      for (JsonNode level : s.path("levels")) {
        assertThat(level.path("latency_ms").path("answer").path("count").asLong()).as(section).isPositive();
        assertThat(level.path("latency_ms").path("answer").path("p99").asDouble()).as(section).isPositive();
      }
    }
    for (JsonNode level : report.path("sections").path("send").path("levels")) {
      assertThat(level.path("latency_ms").path("provider").path("count").asLong())
          .as("every measured send's SMS reached the fake provider")
          .isEqualTo(level.path("latency_ms").path("answer").path("count").asLong());
    }
    assertThat(report.path("ratios").has("send_ratio")).isTrue();
    assertThat(report.path("ratios").has("check_ratio")).isTrue();
    assertThat(report.path("ratios").has("check_redis_ratio")).isTrue();
    assertThat(report.path("targets")).isNotEmpty();
    assertThat(report.path("errors_total").asLong()).isZero();
    assertThat(report.path("dropped_total").asLong()).isZero();
    assertThat(report.path("unexpected_sms").asLong()).isZero();
    assertThat(report.path("processes").fieldNames()).toIterable().contains("services", "kafka", "redis");
    assertThat(report.path("processes").path("services").path("rss_mib").path("max").asDouble()).isPositive();
    assertThat(report.path("load_average").path("start")).hasSize(3);

    String markdown = Files.readString(outcome.markdown());
    assertThat(markdown).contains("## Summary", "## Targets", "## send", "## check", "## Processes");
    assertThat(out.resolve("latest.json")).exists();
  }
}
