package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * /admin/report ({@code pages/report.jte}): the counts, the share with 2FA, a line per person.
 *
 * @param percent the share of people with a second factor, or null when there is nobody
 */
public record ReportView(String csvHref, Notice unread, int people, long on, long missing, long exempt, Integer percent,
    List<Row> rows) {

  public ReportView {
    rows = List.copyOf(rows);
  }

  /** The bar's class: the share rounded down to 5 %. */
  public String bar() {
    return "p" + (percent == null ? 0 : percent / 5 * 5);
  }

  /**
   * One person.
   *
   * @param status on, missing, exempt, unknown or off
   * @param recovery the recovery-code cell: null when unknown, "" when none were made, else "N left"
   */
  public record Row(String href, String displayName, String username, boolean disabled, String status, boolean required,
      Methods app, Methods phone, Methods push, String recovery, String lastSignIn) {}

  /** How many of one kind, when the first was added and the last used ("never"); count 0 shows a dash. */
  public record Methods(int count, String added, String lastUsed) {}
}
