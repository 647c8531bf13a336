package io.otpflow.gateway.pages;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a few series from the services' /metrics (Prometheus text format 0.0.4): every source at
 * once, each with a timeout and a size limit, keeping only the samples whose name the caller wants.
 * A source that cannot be read is counted as unreachable rather than failing the read. The parser
 * handles label values with escapes (\\ \" \n), NaN and ±Inf, and skips comments and lines it does
 * not understand.
 */
final class MetricsReader {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsReader.class);
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  /** A service's whole /metrics is a few hundred kB; more is not a metrics page. */
  static final int MAX_BYTES = 4 << 20;
  private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "otpflow-metrics-reader");
    t.setDaemon(true);
    return t;
  });

  /** One sample: a series' name, its labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  /** @param unreachable how many of the {@code sources} could not be read */
  record Scrape(List<Sample> samples, int sources, int unreachable) {}

  private final List<URI> sources;
  private final HttpClient http;

  MetricsReader(List<URI> sources) {
    this.sources = List.copyOf(sources);
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(READERS).build();
  }

  Scrape read(Predicate<String> wanted) {
    List<CompletableFuture<String>> fetches = new ArrayList<>();
    for (URI source : sources) {
      HttpRequest request = HttpRequest.newBuilder(source).timeout(TIMEOUT).header("accept", "text/plain; version=0.0.4")
          .GET().build();
      fetches.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
          .thenApplyAsync(MetricsReader::body, READERS));
    }
    List<Sample> samples = new ArrayList<>();
    int unreachable = 0;
    long deadline = System.nanoTime() + TIMEOUT.toNanos() * 2;
    for (int i = 0; i < fetches.size(); i++) {
      try {
        String text = fetches.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        parse(text, wanted, samples);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        unreachable++;
      } catch (Exception e) {
        fetches.get(i).cancel(true);
        LOG.warn("Metrics source {} could not be read: {}", sources.get(i), e.getCause() == null ? e : e.getCause());
        unreachable++;
      }
    }
    return new Scrape(samples, sources.size(), unreachable);
  }

  private static String body(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("status " + response.statusCode());
      }
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new IllegalStateException("more than " + MAX_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Adds the wanted samples of {@code text} to {@code out}. */
  static void parse(String text, Predicate<String> wanted, List<Sample> out) {
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      Sample s = line(text.substring(start, end), wanted);
      if (s != null) {
        out.add(s);
      }
      start = end + 1;
    }
  }

  /** One line's sample, or null for a comment, an unwanted name or a line that does not parse. */
  static Sample line(String line, Predicate<String> wanted) {
    int n = line.length();
    int i = 0;
    while (i < n && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
      i++;
    }
    if (i == 0 || !wanted.test(line.substring(0, i))) {
      return null;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new HashMap<>();
    try {
      if (i < n && line.charAt(i) == '{') {
        i++;
        while (true) {
          while (line.charAt(i) == ' ' || line.charAt(i) == ',') {
            i++;
          }
          if (line.charAt(i) == '}') {
            i++;
            break;
          }
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq).strip();
          i = eq + 1;
          if (line.charAt(i) != '"') {
            return null;
          }
          i++;
          StringBuilder value = new StringBuilder();
          for (char c = line.charAt(i); c != '"'; c = line.charAt(i)) {
            if (c == '\\') {
              char next = line.charAt(++i);
              value.append(next == 'n' ? '\n' : next);
            } else {
              value.append(c);
            }
            i++;
          }
          i++;
          labels.put(key, value.toString());
        }
      }
      String[] rest = line.substring(i).strip().split("\\s+");
      return new Sample(name, labels, number(rest[0]));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }
}
