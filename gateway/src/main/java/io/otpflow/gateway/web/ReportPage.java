package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.common.events.AccountView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * /admin/report: every person × their 2FA (app, phone, push devices, recovery codes left; when each
 * was added and last used; required or not; external people exempt), and /admin/report.csv, the same
 * as a download. The CSV is RFC 4180 (CRLF, fields quoted when needed) and neutralises formula
 * injection: a cell that starts with = + - @ tab or CR gets a leading single quote, so a spreadsheet
 * shows a display name like {@code =HYPERLINK(…)} as text.
 */
final class ReportPage {
  private static final List<String> COLUMNS = List.of("username", "display_name", "role", "sign_in", "disabled",
      "two_factor", "required", "apps", "app_added", "app_last_used", "phones", "phone_added", "phone_last_used",
      "push_devices", "push_added", "push_last_used", "recovery_codes_left", "recovery_codes_last_used", "last_sign_in");

  private final WebPlatform web;

  ReportPage(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/admin/report", AdminPages.admin((p, me) -> html(p)));
    routes.get("/admin/report.csv", AdminPages.admin((p, me) -> csv(p)));
  }

  /** One person's line: their 2FA in words and numbers. {@code view} is null when the registry did not answer. */
  record Line(UserStore.User user, AccountView view, boolean required) {
    List<AccountView.Factor> active(String type) {
      if (view == null) {
        return List.of();
      }
      return SignInFlow.activeFactors(view).stream().filter(f -> type.equals(f.type())).toList();
    }

    String status() {
      if (view == null) {
        return "unknown";
      }
      if (SignInFlow.hasTwoFactor(view)) {
        return "on";
      }
      return user.external() ? "exempt" : required ? "missing" : "off";
    }

    int recoveryLeft() {
      return view == null || view.recoveryCodes() == null ? 0 : view.recoveryCodes().remaining();
    }
  }

  private List<Line> lines(PageContext p) {
    List<UserStore.User> users = web.users().list(p.tenant().id());
    Map<String, AccountView> views = AdminPages.accounts(p, users);
    PolicyStore.Policy policy = web.policies().get(p.tenant().id());
    List<Line> lines = new ArrayList<>();
    for (UserStore.User u : users) {
      lines.add(new Line(u, views.get(u.username()), policy.requires(u)));
    }
    return lines;
  }

  private void html(PageContext p) {
    List<Line> lines = lines(p);
    long on = lines.stream().filter(l -> "on".equals(l.status())).count();
    long missing = lines.stream().filter(l -> "missing".equals(l.status())).count();
    long exempt = lines.stream().filter(l -> "exempt".equals(l.status())).count();
    StringBuilder h = new StringBuilder();
    h.append("<div class=\"page-head split\"><div><h1>2FA report</h1><p class=\"muted\">Who protects their sign-in, and"
        + " how. Times are UTC.</p></div><a class=\"button\" href=\"").append(esc(p.path("/admin/report.csv")))
        .append("\" download>Download CSV</a></div>")
        .append(AdminPages.unreadNotice(lines.size(), (int) lines.stream().filter(l -> l.view() != null).count()))
        .append("<section class=\"card\"><div class=\"stats\">")
        .append(stat(lines.size(), "people")).append(stat(on, "with 2FA")).append(stat(missing, "required, not set up"))
        .append(stat(exempt, "exempt (external)")).append("</div>");
    if (!lines.isEmpty()) {
      int pct = (int) Math.round(100.0 * on / lines.size());
      h.append("<p class=\"small muted\">").append(pct).append("% have a second factor</p><div class=\"bar\"><i class=\"p")
          .append(pct / 5 * 5).append("\"></i></div>");
    }
    h.append("</section><section class=\"card\"><div class=\"table-wrap\"><table class=\"report cards\"><thead><tr>")
        .append("<th>Person</th><th>2FA</th><th>App</th><th>Phone</th><th>Push devices</th><th>Recovery codes</th>")
        .append("<th>Last sign-in</th></tr></thead><tbody>");
    for (Line l : lines) {
      UserStore.User u = l.user();
      h.append("<tr><td><a href=\"").append(esc(p.path("/admin/people/person?u=" + u.username()))).append("\"><b>")
          .append(esc(u.displayName())).append("</b></a><br><span class=\"small muted\">").append(esc(u.username()))
          .append(u.disabled() ? " · disabled" : "").append("</span></td><td data-label=\"2FA\">").append(badge(l)).append("</td>")
          .append(methodCell("App", l.active("totp"))).append(methodCell("Phone", l.active("phone")))
          .append(methodCell("Push devices", l.active("device"))).append("<td data-label=\"Recovery codes\">")
          .append(l.view() == null ? "—" : l.view().recoveryCodes() == null || l.view().recoveryCodes().createdAt() == null
              ? "<span class=\"muted\">none</span>" : l.recoveryLeft() + " left").append("</td><td class=\"small\" data-label=\"Last sign-in\">")
          .append(esc(AdminPages.when(u.lastSignInAt()))).append("</td></tr>");
    }
    h.append("</tbody></table></div></section>");
    p.render("2FA report", h.toString());
  }

  private static String stat(long n, String label) {
    return "<div class=\"stat\"><b>" + n + "</b><span>" + esc(label) + "</span></div>";
  }

  private static String badge(Line l) {
    return switch (l.status()) {
      case "on" -> "<span class=\"badge ok\">on</span>";
      case "missing" -> "<span class=\"badge warn\">required, not set up</span>";
      case "exempt" -> "<span class=\"badge\">exempt</span>";
      case "unknown" -> "<span class=\"badge err\">could not read</span>";
      default -> "<span class=\"badge\">off</span>" + (l.required() ? "" : "<br><span class=\"small muted\">optional</span>");
    } + (l.required() && "on".equals(l.status()) ? "<br><span class=\"small muted\">required</span>" : "");
  }

  private static String methodCell(String label, List<AccountView.Factor> factors) {
    if (factors.isEmpty()) {
      return "<td class=\"muted\" data-label=\"" + label + "\">—</td>";
    }
    return "<td data-label=\"" + label + "\"><b>" + factors.size() + "</b><br><span class=\"small muted\">added " + esc(AdminPages.when(added(factors)))
        + "<br>used " + esc(lastUsed(factors) == null ? "never" : AdminPages.when(lastUsed(factors))) + "</span></td>";
  }

  private static Instant added(List<AccountView.Factor> factors) {
    return factors.stream().map(f -> f.confirmedAt() != null ? f.confirmedAt() : f.createdAt()).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
  }

  private static Instant lastUsed(List<AccountView.Factor> factors) {
    return factors.stream().map(AccountView.Factor::lastUsedAt).filter(Objects::nonNull).max(Comparator.naturalOrder())
        .orElse(null);
  }

  private void csv(PageContext p) {
    StringBuilder out = new StringBuilder();
    row(out, COLUMNS);
    for (Line l : lines(p)) {
      UserStore.User u = l.user();
      List<AccountView.Factor> apps = l.active("totp");
      List<AccountView.Factor> phones = l.active("phone");
      List<AccountView.Factor> devices = l.active("device");
      row(out, List.of(u.username(), u.displayName(), u.role().name().toLowerCase(), u.external() ? "external" : "password",
          Boolean.toString(u.disabled()), l.status(), Boolean.toString(l.required()),
          Integer.toString(apps.size()), AdminPages.iso(added(apps)), AdminPages.iso(lastUsed(apps)),
          Integer.toString(phones.size()), AdminPages.iso(added(phones)), AdminPages.iso(lastUsed(phones)),
          Integer.toString(devices.size()), AdminPages.iso(added(devices)), AdminPages.iso(lastUsed(devices)),
          l.view() == null ? "" : Integer.toString(l.recoveryLeft()),
          l.view() == null || l.view().recoveryCodes() == null ? "" : AdminPages.iso(l.view().recoveryCodes().lastUsedAt()),
          AdminPages.iso(u.lastSignInAt())));
    }
    p.routing().response().setStatusCode(200).putHeader("content-type", "text/csv; charset=utf-8")
        .putHeader("content-disposition", "attachment; filename=\"" + p.tenant().id() + "-2fa-report.csv\"")
        .end(out.toString());
  }

  private static void row(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      out.append(i == 0 ? "" : ",").append(cell(cells.get(i)));
    }
    out.append("\r\n");
  }

  /** One CSV field: formula-looking text defused with a leading quote, then quoted as RFC 4180 needs. */
  static String cell(String value) {
    String v = value == null ? "" : value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
