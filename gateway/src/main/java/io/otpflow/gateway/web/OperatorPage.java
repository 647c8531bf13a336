package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * /admin/operator: the company's delivery funnel from the services' own counters (requested → sent →
 * delivered → verified, with rate-limited, failed, denied, expired and locked) per channel, the
 * conversion between stages, delivery failures by provider and error class, and the platform's dead
 * letters. Only series whose {@code tenant} label is this company are counted; dead letters carry no
 * tenant and are shown as the whole platform's. /admin/operator.json gives the same numbers
 * ({@code values}) and the live part of the page ({@code html}), which otpflow.js polls
 * ({@code data-refresh}) to keep the page current. The numbers count since each service started.
 */
final class OperatorPage {
  static final int REFRESH_SECONDS = 5;
  private static final List<String> STAGES = List.of("requested", "sent", "delivered", "verified", "rate_limited", "failed",
      "denied", "expired", "locked");
  private static final List<String> CHANNELS = List.of("sms", "push", "totp", "recovery_code");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final WebPlatform web;
  private final MetricsReader reader;

  OperatorPage(WebPlatform web) {
    this.web = web;
    this.reader = new MetricsReader(web.metricsSources());
  }

  void register(WebRoutes routes) {
    routes.get("/admin/operator", AdminPages.admin((p, me) -> page(p)));
    routes.get("/admin/operator.json", AdminPages.admin((p, me) -> {
      Numbers n = read(p.tenant().id());
      JsonObject values = new JsonObject();
      n.values().forEach(values::put);
      p.json(200, new JsonObject().put("values", values).put("html", live(n)));
    }));
  }

  /** What the page shows: funnel stages per channel, failures, rate limits, dead letters. */
  record Numbers(Map<String, Map<String, Long>> funnel, Map<String, Long> failures, Map<String, Long> limited,
      Map<String, Long> deadLetters, int sources, int unreachable, String at) {
    long total(String stage) {
      return funnel.values().stream().mapToLong(m -> m.getOrDefault(stage, 0L)).sum();
    }

    /** Flat numbers for the JSON: "sms.verified" → 12, "all.requested" → 40. */
    Map<String, Long> values() {
      Map<String, Long> v = new LinkedHashMap<>();
      STAGES.forEach(s -> v.put("all." + s, total(s)));
      funnel.forEach((channel, stages) -> STAGES.forEach(s -> v.put(channel + "." + s, stages.getOrDefault(s, 0L))));
      return v;
    }
  }

  Numbers read(String tenant) {
    MetricsReader.Scrape scrape = reader.read(name -> name.startsWith("otp_verifications_")
        || name.equals("otp_dead_letters_total") || name.equals("otp_dispatch_dead_letters_total")
        || name.equals("otp_push_dead_letters_total"));
    Map<String, Map<String, Long>> funnel = new TreeMap<>((a, b) -> order(a) != order(b) ? order(a) - order(b)
        : a.compareTo(b));
    Map<String, Long> failures = new TreeMap<>();
    Map<String, Long> limited = new TreeMap<>();
    Map<String, Long> dead = new TreeMap<>();
    for (MetricsReader.Sample s : scrape.samples()) {
      long value = Double.isFinite(s.value()) ? Math.round(s.value()) : 0;
      if (s.name().startsWith("otp_verifications_") && s.name().endsWith("_total")) {
        String stage = s.name().substring("otp_verifications_".length(), s.name().length() - "_total".length());
        if (!STAGES.contains(stage) || !tenant.equals(s.label("tenant"))) {
          continue;
        }
        funnel.computeIfAbsent(s.label("channel"), c -> new LinkedHashMap<>()).merge(stage, value, Long::sum);
        if (stage.equals("failed")) {
          failures.merge(String.join("\u0000", s.label("channel"), s.label("provider"), s.label("state"),
              s.label("error_class")), value, Long::sum);
        } else if (stage.equals("rate_limited")) {
          limited.merge(String.join("\u0000", s.label("channel"), s.label("reason")), value, Long::sum);
        }
      } else if (value > 0) {
        String where = s.name().equals("otp_dead_letters_total") ? "from " + s.label("topic")
            : s.name().equals("otp_dispatch_dead_letters_total") ? "SMS via " + s.label("provider")
            : "push via " + s.label("platform");
        dead.merge(String.join("\u0000", where, s.label("reason")), value, Long::sum);
      }
    }
    return new Numbers(funnel, failures, limited, dead, scrape.sources(), scrape.unreachable(),
        TIME.format(web.clock().instant()));
  }

  private static int order(String channel) {
    int i = CHANNELS.indexOf(channel);
    return i < 0 ? CHANNELS.size() : i;
  }

  private void page(PageContext p) {
    Numbers n = read(p.tenant().id());
    p.render("Delivery", "<div class=\"page-head\"><h1>Delivery</h1><p class=\"muted\">How " + esc(p.tenant().displayName())
        + "'s codes travel: from the request to the verified code, by channel. Counted since the services last started;"
        + " this page updates every " + REFRESH_SECONDS + " seconds.</p></div><div id=\"live\" data-refresh=\""
        + esc(p.path("/admin/operator.json")) + "\" data-interval=\"" + REFRESH_SECONDS + "\">" + live(n) + "</div>");
  }

  /** The part of the page that refreshes. */
  static String live(Numbers n) {
    StringBuilder h = new StringBuilder();
    if (n.sources() == 0) {
      h.append(Html.notice("info", "This gateway has no metrics sources (OTPFLOW_METRICS_SOURCES), so it has no numbers"
          + " to show."));
    } else if (n.unreachable() > 0) {
      h.append(Html.notice("warn", n.unreachable() + " of " + n.sources() + " metrics sources could not be reached just"
          + " now: the numbers below are incomplete."));
    }
    h.append("<section class=\"card\"><div class=\"stats\">").append(stat(n.total("requested"), "requested", "all.requested"))
        .append(stat(n.total("sent"), "sent", "all.sent")).append(stat(n.total("delivered"), "delivered", "all.delivered"))
        .append(stat(n.total("verified"), "verified", "all.verified"))
        .append("<div class=\"stat\"><b>").append(ratio(n.total("verified"), n.total("requested")))
        .append("</b><span>verified of requested</span></div></div><p class=\"small muted updated\">Updated ")
        .append(esc(n.at())).append(" UTC</p></section>");
    if (n.funnel().isEmpty()) {
      h.append("<section class=\"card\"><p class=\"muted\">No verifications yet.</p></section>");
    }
    h.append("<div class=\"grid\">");
    n.funnel().forEach((channel, s) -> channel(h, channel, s));
    h.append("</div>");
    h.append("<section class=\"card\"><h2>Delivery failures</h2>");
    table(h, n.failures(), List.of("Channel", "Provider", "State", "Error class"), "No delivery failures.");
    h.append("<h3>Refused by a send limit</h3>");
    table(h, n.limited(), List.of("Channel", "Limit"), "No sends were refused by a limit.");
    h.append("<h3>Dead letters (whole platform)</h3>");
    table(h, n.deadLetters(), List.of("Where", "Reason"), "No dead letters.");
    return h.append("</section>").toString();
  }

  private static void channel(StringBuilder h, String channel, Map<String, Long> s) {
    boolean sends = !channel.equals("totp") && !channel.equals("recovery_code");
    long requested = s.getOrDefault("requested", 0L);
    h.append("<section class=\"card funnel\"><h2>").append(esc(label(channel))).append("</h2>");
    step(h, channel, "requested", "Requested", requested, requested, "");
    if (sends) {
      step(h, channel, "sent", "Sent", s.getOrDefault("sent", 0L), requested, "of requested");
      if (channel.equals("sms")) {
        long delivered = s.getOrDefault("delivered", 0L);
        step(h, channel, "delivered", "Delivered", delivered, s.getOrDefault("sent", 0L),
            delivered == 0 ? "no handset receipts (not every provider sends them)" : "of sent");
      }
    }
    step(h, channel, "verified", "Verified", s.getOrDefault("verified", 0L), requested, "of requested");
    h.append("<ul class=\"list compact\">");
    for (String other : List.of("rate_limited", "failed", "denied", "expired", "locked")) {
      h.append("<li><span>").append(esc(other.replace('_', '-'))).append("</span><b data-key=\"").append(esc(channel))
          .append('.').append(other).append("\">").append(fmt(s.getOrDefault(other, 0L))).append("</b></li>");
    }
    h.append("</ul></section>");
  }

  private static void step(StringBuilder h, String channel, String key, String name, long value, long of, String what) {
    int pct = of == 0 ? 0 : (int) Math.min(100, Math.round(100.0 * value / of));
    h.append("<div class=\"step\"><div class=\"step-head\"><span>").append(name).append("</span><span><b data-key=\"")
        .append(esc(channel)).append('.').append(key).append("\">").append(fmt(value)).append("</b>")
        .append(what.isEmpty() ? "" : " <span class=\"small muted\">" + (what.startsWith("of ") ? ratio(value, of) + " " : "")
            + esc(what) + "</span>")
        .append("</span></div><div class=\"bar\"><i class=\"p").append(pct / 5 * 5).append("\"></i></div></div>");
  }

  private static void table(StringBuilder h, Map<String, Long> rows, List<String> heads, String none) {
    if (rows.isEmpty()) {
      h.append("<p class=\"muted\">").append(esc(none)).append("</p>");
      return;
    }
    h.append("<div class=\"table-wrap\"><table><thead><tr>");
    heads.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("<th class=\"num\">Count</th></tr></thead><tbody>");
    rows.forEach((key, count) -> {
      h.append("<tr>");
      for (String cell : key.split("\u0000", -1)) {
        h.append("<td>").append(esc(cell.isEmpty() ? "—" : cell)).append("</td>");
      }
      h.append("<td class=\"num\">").append(fmt(count)).append("</td></tr>");
    });
    h.append("</tbody></table></div>");
  }

  private static String stat(long value, String label, String key) {
    return "<div class=\"stat\"><b data-key=\"" + key + "\">" + fmt(value) + "</b><span>" + esc(label) + "</span></div>";
  }

  private static String label(String channel) {
    return switch (channel) {
      case "sms" -> "SMS";
      case "push" -> "Push";
      case "totp" -> "Authenticator app";
      case "recovery_code" -> "Recovery codes";
      default -> channel;
    };
  }

  static String ratio(long part, long whole) {
    return whole == 0 ? "—" : Math.round(100.0 * part / whole) + "%";
  }

  private static String fmt(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
