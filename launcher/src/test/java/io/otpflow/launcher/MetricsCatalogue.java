package io.otpflow.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue in docs/metrics.md, read from its "## Catalogue" section: one table row per
 * otpflow family, with its type, labels (besides {@code service}) and the services that expose it.
 */
final class MetricsCatalogue {
  record Entry(String name, String type, Set<String> labels, Set<String> services) {}

  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private MetricsCatalogue() {}

  static List<Entry> read() throws IOException {
    List<String> lines = Files.readAllLines(Promtool.repositoryRoot().resolve("docs/metrics.md"));
    List<Entry> entries = new ArrayList<>();
    boolean inCatalogue = false;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        inCatalogue = line.equals("## Catalogue");
        continue;
      }
      if (!inCatalogue || !line.startsWith("| `otp_")) {
        continue;
      }
      // Split on | that is not escaped (a PromQL regex in a cell is written \|).
      String[] cells = line.substring(1).split("(?<!\\\\)\\|");
      if (cells.length < 5) {
        throw new AssertionError("docs/metrics.md: a catalogue row needs name, type, labels, services, meaning: " + line);
      }
      Set<String> labels = new LinkedHashSet<>();
      Matcher m = CODE.matcher(cells[2]);
      while (m.find()) {
        labels.add(m.group(1));
      }
      Set<String> services = new LinkedHashSet<>();
      for (String s : cells[3].split(",")) {
        services.add(s.trim());
      }
      Matcher name = CODE.matcher(cells[0]);
      if (!name.find()) {
        throw new AssertionError("docs/metrics.md: no `name` in " + line);
      }
      entries.add(new Entry(name.group(1), cells[1].trim(), labels, services));
    }
    return entries;
  }

  /** Every otpflow name mentioned anywhere in docs/metrics.md's catalogue, histogram parts included. */
  static Set<String> exposedNames() throws IOException {
    Set<String> names = new LinkedHashSet<>();
    for (Entry e : read()) {
      names.add(e.name());
      if (e.type().equals("histogram")) {
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
          names.add(e.name() + suffix);
        }
      }
    }
    return names;
  }
}
