package io.otpflow.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

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
}
