package io.otpflow.gateway.pages;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin pages' pure parts: the Prometheus text parser and the CSV cells. */
class AdminUnitsTest {
  @Test
  void parsesSamplesWithEscapedLabelValuesAndSkipsTheRest() {
    String text = """
        # HELP otp_verifications_sent_total Sent
        # TYPE otp_verifications_sent_total counter
        otp_verifications_sent_total{channel="sms",provider="twilio",tenant="acme",service="otp-issuer",} 3.0
        otp_verifications_sent_total{channel="sms",tenant="a\\"b\\\\c\\nd"} 2 1700000000000
        otp_verifications_sent_total{channel="push",tenant="acme"} NaN
        otp_verifications_sent_total{channel="totp",tenant="acme"} +Inf
        otp_verifications_sent_total{channel="broken
        jvm_memory_used_bytes{area="heap"} 1.0E7
        otp_verifications_verified_total 7
        """;
    List<MetricsReader.Sample> out = new ArrayList<>();
    MetricsReader.parse(text, name -> name.startsWith("otp_"), out);
    assertThat(out).hasSize(5);
    assertThat(out.get(0).labels()).containsEntry("tenant", "acme").containsEntry("provider", "twilio");
    assertThat(out.get(0).value()).isEqualTo(3.0);
    assertThat(out.get(1).label("tenant")).isEqualTo("a\"b\\c\nd");
    assertThat(out.get(2).value()).isNaN();
    assertThat(out.get(3).value()).isInfinite();
    assertThat(out.get(4).labels()).isEqualTo(Map.of());
    assertThat(out.get(4).value()).isEqualTo(7.0);
  }

  @Test
  void csvCellsAreQuotedAsRfc4180AndFormulasAreDefused() {
    assertThat(ReportPage.cell("alice")).isEqualTo("alice");
    assertThat(ReportPage.cell("Smith, Jo")).isEqualTo("\"Smith, Jo\"");
    assertThat(ReportPage.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(ReportPage.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
    assertThat(ReportPage.cell("+1")).isEqualTo("'+1");
    assertThat(ReportPage.cell("-2")).isEqualTo("'-2");
    assertThat(ReportPage.cell("@sum")).isEqualTo("'@sum");
    assertThat(ReportPage.cell("\tx")).isEqualTo("'\tx");
    assertThat(ReportPage.cell("\rx")).isEqualTo("\"'\rx\"");
    assertThat(ReportPage.cell("line\nbreak")).isEqualTo("\"line\nbreak\"");
    assertThat(ReportPage.cell(null)).isEmpty();
  }

  @Test
  void aSourceThatIsDownSlowOrTooLargeIsCountedAsUnreachableAndTheRestIsRead() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/ok", x -> {
      byte[] body = "otp_verifications_requested_total{tenant=\"acme\",channel=\"sms\"} 4.0\n".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.createContext("/huge", x -> {
      x.sendResponseHeaders(200, 0);
      byte[] line = "# padding padding padding padding padding padding padding padding\n".getBytes(StandardCharsets.UTF_8);
      try {
        for (long sent = 0; sent <= MetricsReader.MAX_BYTES; sent += line.length) {
          x.getResponseBody().write(line);
        }
      } catch (java.io.IOException closedByTheReader) {
        // expected: the reader stops at the limit
      }
      x.close();
    });
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    server.createContext("/slow", x -> { // answers only when the test is over: slower than any timeout
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      x.close();
    });
    server.start();
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      MetricsReader reader = new MetricsReader(List.of(URI.create(base + "/ok"), URI.create(base + "/huge"),
          URI.create(base + "/slow"), URI.create("http://127.0.0.1:" + closed + "/metrics")));
      long started = System.nanoTime();
      MetricsReader.Scrape scrape = reader.read(name -> name.startsWith("otp_"));
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(6));
      assertThat(scrape.sources()).isEqualTo(4);
      assertThat(scrape.unreachable()).isEqualTo(3);
      assertThat(scrape.samples()).singleElement().satisfies(x -> assertThat(x.value()).isEqualTo(4.0));
      String html = OperatorPage.live(new OperatorPage.Numbers(Map.of(), Map.of(), Map.of(), Map.of(), 4, 3, "12:00:00"));
      assertThat(html).contains("3 of 4 metrics sources could not be reached just now");
    } finally {
      release.countDown();
      server.stop(0);
    }
  }
}
