package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtereportGenerated;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.pages.view.ReportView;
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
public final class ReportPage {
  private static final List<String> COLUMNS = List.of("username", "display_name", "role", "sign_in", "disabled",
      "two_factor", "required", "apps", "app_added", "app_last_used", "phones", "phone_added", "phone_last_used",
      "push_devices", "push_added", "push_last_used", "recovery_codes_left", "recovery_codes_last_used", "last_sign_in");

  private final WebPlatform web;

  public ReportPage(WebPlatform web) {
    this.web = web;
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

  /** GET /admin/report. */
  public void html(PageContext p, UserStore.User me) {
    List<Line> lines = lines(p);
    long on = lines.stream().filter(l -> "on".equals(l.status())).count();
    long missing = lines.stream().filter(l -> "missing".equals(l.status())).count();
    long exempt = lines.stream().filter(l -> "exempt".equals(l.status())).count();
    List<ReportView.Row> rows = lines.stream().map(l -> {
      UserStore.User u = l.user();
      return new ReportView.Row(p.path("/admin/people/person?u=" + u.username()), u.displayName(), u.username(),
          u.disabled(), l.status(), l.required(), methods(l.active("totp")), methods(l.active("phone")),
          methods(l.active("device")), l.view() == null ? null
              : l.view().recoveryCodes() == null || l.view().recoveryCodes().createdAt() == null ? "" : l.recoveryLeft() + " left",
          AdminPages.when(u.lastSignInAt()));
    }).toList();
    ReportView view = new ReportView(p.path("/admin/report.csv"),
        AdminPages.unreadNotice(lines.size(), (int) lines.stream().filter(l -> l.view() != null).count()), lines.size(), on,
        missing, exempt, lines.isEmpty() ? null : (int) Math.round(100.0 * on / lines.size()), rows);
    p.render((out, layout) -> JtereportGenerated.render(out, null, layout, view));
  }

  private static ReportView.Methods methods(List<AccountView.Factor> factors) {
    Instant used = lastUsed(factors);
    return new ReportView.Methods(factors.size(), AdminPages.when(added(factors)), used == null ? "never" : AdminPages.when(used));
  }

  private static Instant added(List<AccountView.Factor> factors) {
    return factors.stream().map(f -> f.confirmedAt() != null ? f.confirmedAt() : f.createdAt()).filter(Objects::nonNull)
        .min(Comparator.naturalOrder()).orElse(null);
  }

  private static Instant lastUsed(List<AccountView.Factor> factors) {
    return factors.stream().map(AccountView.Factor::lastUsedAt).filter(Objects::nonNull).max(Comparator.naturalOrder())
        .orElse(null);
  }

  /** GET /admin/report.csv. */
  public void csv(PageContext p, UserStore.User me) {
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
