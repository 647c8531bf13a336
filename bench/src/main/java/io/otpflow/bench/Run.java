package io.otpflow.bench;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measurements of one run: a latency histogram per stage (microseconds, from each request's
 * intended send time, warm-up excluded), outcome counts, and what was still in flight when the run
 * was closed (dropped).
 */
final class Run {
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

  final String name;
  final double rate;
  final long measureFromNanos;
  final long measureToNanos;
  private final Map<String, Recorder> stages = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final Set<Request> inFlight = ConcurrentHashMap.newKeySet();
  private final LongAdder measuredOk = new LongAdder();
  /** Answer latencies of the first and the last quarter of the measure window: a backlog shows as growth. */
  private final Recorder firstQuarter = new Recorder(MAX_MICROS, 2);
  private final Recorder lastQuarter = new Recorder(MAX_MICROS, 2);
  private Histogram firstQuarterClosed;
  private Histogram lastQuarterClosed;
  private final AtomicLong maxLagNanos = new AtomicLong();
  private final AtomicLong fired = new AtomicLong();
  private volatile boolean closed;
  /** Last time anything of this run was answered, also after it was closed (a backlog still draining). */
  private volatile long lastActivityNanos = System.nanoTime();
  private final Map<String, Histogram> closedStages = new TreeMap<>();
  private final Map<String, Long> closedCounts = new TreeMap<>();

  Run(String name, double rate, long measureFromNanos, long measureToNanos) {
    this.name = name;
    this.rate = rate;
    this.measureFromNanos = measureFromNanos;
    this.measureToNanos = measureToNanos;
  }

  Request newRequest(long intendedNanos) {
    long seq = fired.getAndIncrement();
    Request r = new Request(this, seq, intendedNanos, intendedNanos >= measureFromNanos && intendedNanos < measureToNanos);
    inFlight.add(r);
    return r;
  }

  void lag(long nanos) {
    maxLagNanos.accumulateAndGet(nanos, Math::max);
  }

  void record(String stage, Request r) {
    lastActivityNanos = System.nanoTime();
    if (closed || !r.measured) {
      return;
    }
    long micros = Math.max(1, (System.nanoTime() - r.intendedNanos) / 1000);
    stages.computeIfAbsent(stage, s -> new Recorder(MAX_MICROS, 3)).recordValue(Math.min(micros, MAX_MICROS));
    if (Request.ANSWER.equals(stage)) {
      measuredOk.increment();
      long quarter = (r.intendedNanos - measureFromNanos) * 4 / (measureToNanos - measureFromNanos);
      if (quarter == 0) {
        firstQuarter.recordValue(Math.min(micros, MAX_MICROS));
      } else if (quarter == 3) {
        lastQuarter.recordValue(Math.min(micros, MAX_MICROS));
      }
    }
  }

  void count(String what) {
    lastActivityNanos = System.nanoTime();
    if (!closed) {
      counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }
  }

  void finished(Request r) {
    inFlight.remove(r);
  }

  long lastActivityNanos() {
    return lastActivityNanos;
  }

  int inFlight() {
    return inFlight.size();
  }

  long fired() {
    return fired.get();
  }

  /** Stops recording; what is still in flight is counted as dropped (no answer, or a stage never reached). */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long noAnswer = 0;
    long noStage = 0;
    for (Request r : inFlight) {
      if (r.answered()) {
        noStage++;
      } else {
        noAnswer++;
      }
    }
    counts.forEach((k, v) -> closedCounts.put(k, v.sum()));
    if (noAnswer > 0) {
      closedCounts.put("dropped:no-answer", noAnswer);
    }
    if (noStage > 0) {
      closedCounts.put("dropped:stage-not-reached", noStage);
    }
    stages.forEach((k, v) -> closedStages.put(k, v.getIntervalHistogram()));
    firstQuarterClosed = firstQuarter.getIntervalHistogram();
    lastQuarterClosed = lastQuarter.getIntervalHistogram();
  }

  /**
   * True when answers in the last quarter of the window were clearly slower than in the first: the
   * median grew by more than half plus 20 ms. A backlog that keeps growing does that; a short stall
   * (a pause of the machine) moves the tail, not the median of a whole quarter.
   */
  boolean latencyGrew() {
    if (firstQuarterClosed == null || firstQuarterClosed.getTotalCount() == 0 || lastQuarterClosed.getTotalCount() == 0) {
      return false;
    }
    double first = firstQuarterClosed.getValueAtPercentile(50) / 1000.0;
    double last = lastQuarterClosed.getValueAtPercentile(50) / 1000.0;
    return last > first * 1.5 + 20;
  }

  Map<String, Histogram> histograms() {
    return closedStages;
  }

  Map<String, Long> counts() {
    return closedCounts;
  }

  long errors() {
    return closedCounts.entrySet().stream().filter(e -> e.getKey().startsWith("error:")).mapToLong(Map.Entry::getValue).sum();
  }

  long dropped() {
    return closedCounts.entrySet().stream().filter(e -> e.getKey().startsWith("dropped:")).mapToLong(Map.Entry::getValue).sum();
  }

  /** Requests scheduled inside the measurement window that were answered correctly, per second of it. */
  double achievedRate() {
    return measuredOk.sum() / ((measureToNanos - measureFromNanos) / 1e9);
  }

  double maxLagMillis() {
    return maxLagNanos.get() / 1e6;
  }

  /** Percentile of a stage in milliseconds, or NaN when nothing was recorded. */
  double percentileMillis(String stage, double percentile) {
    Histogram h = closedStages.get(stage);
    return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }
}
