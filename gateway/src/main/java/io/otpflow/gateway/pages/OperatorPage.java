package io.otpflow.gateway.pages;

import gg.jte.generated.precompiled.pages.JteoperatorGenerated;
import gg.jte.generated.precompiled.tag.JteoperatorLiveGenerated;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.store.UserStore;
import io.otpflow.gateway.pages.view.OperatorView;
import io.otpflow.gateway.pages.view.OperatorView.Channel;
import io.otpflow.gateway.pages.view.OperatorView.Live;
import io.otpflow.gateway.pages.view.OperatorView.Stat;
import io.otpflow.gateway.pages.view.OperatorView.Step;
import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
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
public final class OperatorPage {
  static final int REFRESH_SECONDS = 5;
  private static final List<String> STAGES = List.of("requested", "sent", "delivered", "verified", "rate_limited", "failed",
      "denied", "expired", "locked");
  private static final List<String> CHANNELS = List.of("sms", "push", "totp", "recovery_code");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final WebPlatform web;
  private final MetricsReader reader;

  public OperatorPage(WebPlatform web) {
    this.web = web;
    this.reader = new MetricsReader(web.metricsSources());
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

  /** GET /admin/operator.json: the numbers and the live part's HTML, which the page polls. */
  public void json(PageContext p, UserStore.User me) {
    Numbers n = read(p.tenant().id());
    JsonObject values = new JsonObject();
    n.values().forEach(values::put);
    p.json(200, new JsonObject().put("values", values).put("html", live(n)));
  }

  /** GET /admin/operator. */
  public void page(PageContext p, UserStore.User me) {
    OperatorView view = new OperatorView(p.tenant().displayName(), p.path("/admin/operator.json"), REFRESH_SECONDS,
        liveView(read(p.tenant().id())));
    p.render((out, layout) -> JteoperatorGenerated.render(out, null, layout, view));
  }

  /** The HTML of the part of the page that refreshes. */
  static String live(Numbers n) {
    Live live = liveView(n);
    return PageTemplate.fragment(out -> JteoperatorLiveGenerated.render(out, null, live));
  }

  /** The part of the page that refreshes. */
  static Live liveView(Numbers n) {
    Notice notice = n.sources() == 0 ? Notice.info("This gateway has no metrics sources (OTPFLOW_METRICS_SOURCES), so it"
        + " has no numbers to show.") : n.unreachable() > 0 ? Notice.warn(n.unreachable() + " of " + n.sources()
        + " metrics sources could not be reached just now: the numbers below are incomplete.") : null;
    List<Stat> totals = List.of("requested", "sent", "delivered", "verified").stream()
        .map(stage -> new Stat("all." + stage, fmt(n.total(stage)), stage)).toList();
    List<Channel> channels = new ArrayList<>();
    n.funnel().forEach((channel, s) -> channels.add(channel(channel, s)));
    return new Live(notice, totals, ratio(n.total("verified"), n.total("requested")), n.at(), channels,
        table(n.failures(), List.of("Channel", "Provider", "State", "Error class"), "No delivery failures."),
        table(n.limited(), List.of("Channel", "Limit"), "No sends were refused by a limit."),
        table(n.deadLetters(), List.of("Where", "Reason"), "No dead letters."));
  }

  private static Channel channel(String channel, Map<String, Long> s) {
    boolean sends = !channel.equals("totp") && !channel.equals("recovery_code");
    long requested = s.getOrDefault("requested", 0L);
    List<Step> steps = new ArrayList<>();
    steps.add(step(channel, "requested", "Requested", requested, requested, ""));
    if (sends) {
      steps.add(step(channel, "sent", "Sent", s.getOrDefault("sent", 0L), requested, "of requested"));
      if (channel.equals("sms")) {
        long delivered = s.getOrDefault("delivered", 0L);
        steps.add(step(channel, "delivered", "Delivered", delivered, s.getOrDefault("sent", 0L),
            delivered == 0 ? "no handset receipts (not every provider sends them)" : "of sent"));
      }
    }
    steps.add(step(channel, "verified", "Verified", s.getOrDefault("verified", 0L), requested, "of requested"));
    List<Stat> others = List.of("rate_limited", "failed", "denied", "expired", "locked").stream()
        .map(other -> new Stat(channel + "." + other, fmt(s.getOrDefault(other, 0L)), other.replace('_', '-'))).toList();
    return new Channel(label(channel), steps, others);
  }

  private static Step step(String channel, String key, String name, long value, long of, String what) {
    int pct = of == 0 ? 0 : (int) Math.min(100, Math.round(100.0 * value / of));
    return new Step(channel + "." + key, name, fmt(value), pct, what.startsWith("of ") ? ratio(value, of) : null, what);
  }

  private static OperatorView.Table table(Map<String, Long> rows, List<String> heads, String none) {
    List<OperatorView.Table.Row> lines = new ArrayList<>();
    rows.forEach((key, count) -> lines.add(new OperatorView.Table.Row(Arrays.stream(key.split("\u0000", -1))
        .map(cell -> cell.isEmpty() ? "—" : cell).toList(), fmt(count))));
    return new OperatorView.Table(heads, lines, none);
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
