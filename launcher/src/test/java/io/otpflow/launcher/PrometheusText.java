package io.otpflow.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A Prometheus text exposition (format 0.0.4), read into families and samples, so tests can ask
 * for a metric by name and labels. Only what /metrics produces: no timestamps, no exemplars.
 */
final class PrometheusText {
  record Sample(String name, Map<String, String> labels, double value) {
    boolean has(String key, String value) {
      return value.equals(labels.get(key));
    }
  }

  /** {@code type} from the # TYPE line; {@code samples} of the family (histogram parts included). */
  record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families = new TreeMap<>();
  private final List<Sample> samples = new ArrayList<>();

  private PrometheusText() {}

  static PrometheusText parse(String text) {
    PrometheusText t = new PrometheusText();
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ", 2);
        types.put(parts[0], parts[1].trim());
      } else if (line.startsWith("# HELP ")) {
        String[] parts = line.substring(7).split(" ", 2);
        helps.put(parts[0], parts.length > 1 ? parts[1] : "");
      } else if (!line.startsWith("#")) {
        t.samples.add(sample(line));
      }
    }
    types.forEach((name, type) -> {
      List<Sample> own = new ArrayList<>();
      for (Sample s : t.samples) {
        if (familyOf(s.name(), type).equals(name)) {
          own.add(s);
        }
      }
      t.families.put(name, new Family(name, type, helps.getOrDefault(name, ""), own));
    });
    return t;
  }

  private static String familyOf(String sample, String type) {
    if (type.equals("histogram") || type.equals("summary")) {
      return sample.replaceFirst("_(bucket|count|sum|created)$", "");
    }
    return sample;
  }

  Map<String, Family> families() {
    return families;
  }

  List<Sample> samples() {
    return samples;
  }

  /** Samples of {@code name} whose labels include every key=value pair given. */
  List<Sample> find(String name, String... labelPairs) {
    Predicate<Sample> match = s -> {
      if (!s.name().equals(name)) {
        return false;
      }
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
          return false;
        }
      }
      return true;
    };
    return samples.stream().filter(match).toList();
  }

  /** The sum over matching samples (0 when there are none). */
  double sum(String name, String... labelPairs) {
    return find(name, labelPairs).stream().mapToDouble(Sample::value).sum();
  }

  Optional<Sample> one(String name, String... labelPairs) {
    List<Sample> found = find(name, labelPairs);
    if (found.size() > 1) {
      throw new AssertionError("More than one " + name + " sample matches: " + found);
    }
    return found.stream().findFirst();
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        i = eq + 2; // past ="
        StringBuilder value = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char next = line.charAt(++i);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          i++;
        }
        labels.put(key, value.toString());
        i++; // past the closing quote
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String[] rest = line.substring(i).trim().split(" ");
    return new Sample(name, labels, Double.parseDouble(rest[0]));
  }
}
