package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * /admin/operator ({@code pages/operator.jte}) and its live part ({@code tag/operatorLive.jte}, also
 * sent in the JSON the page polls).
 */
public record OperatorView(String company, String jsonHref, int refreshSeconds, Live live) {

  /** The part that refreshes. */
  public record Live(Notice notice, List<Stat> totals, String verifiedOfRequested, String at, List<Channel> channels,
      Table failures, Table limited, Table deadLetters) {
    public Live {
      totals = List.copyOf(totals);
      channels = List.copyOf(channels);
    }
  }

  /** A number with its label; {@code key} is what the page's script updates ("all.sent"). */
  public record Stat(String key, String value, String label) {}

  /** One channel's funnel: its steps, then the other outcomes. */
  public record Channel(String label, List<Step> steps, List<Stat> others) {
    public Channel {
      steps = List.copyOf(steps);
      others = List.copyOf(others);
    }
  }

  /**
   * A step of the funnel and its bar.
   *
   * @param ratio the share of the stage it is counted against ("75%"), or null
   * @param what what the ratio is of ("of requested"), or ""
   */
  public record Step(String key, String name, String value, int percent, String ratio, String what) {
    public String bar() {
      return "p" + percent / 5 * 5;
    }
  }

  /** A table of counts, or the words for none. */
  public record Table(List<String> heads, List<Row> rows, String none) {
    public Table {
      heads = List.copyOf(heads);
      rows = List.copyOf(rows);
    }

    /** Cells ("—" for an empty label) and the count. */
    public record Row(List<String> cells, String count) {
      public Row {
        cells = List.copyOf(cells);
      }
    }
  }
}
