package io.otpflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds a target's maximum sustained throughput. A closed-loop run with a fixed number in flight
 * gives a first estimate; then open-loop probes at fixed rates: up by half while they hold, or
 * down by a fifth until one holds, then once halfway between the best that held and the lowest
 * that failed. A probe that fails narrowly is repeated once before it counts. A probe holds ("sustained") when every request scheduled
 * in it was answered correctly, nothing was still open shortly after its end, its p99 stayed under
 * {@link BenchOptions#sustainP99()}, and its median did not grow from the first to the last quarter
 * of the window ({@link Run#latencyGrew()}): a backlog that keeps growing fails these quickly.
 */
final class Capacity {
  private static final int MAX_UP = 6;
  private static final int MAX_DOWN = 5;
  private static final double UP = 1.5;
  private static final double DOWN = 1.25;

  /** One open-loop probe. */
  record Probe(double rate, double achieved, long errors, long dropped, double p99Millis, boolean sustained) {}

  /**
   * The search: estimate, probes, and the highest sustained rate ({@code found} false if none held;
   * {@code bounded} false if no probe above it failed, so the true maximum may be higher).
   */
  record Result(int concurrency, double saturated, List<Probe> probes, double max, boolean found, boolean bounded) {
    long errors() {
      return probes.stream().filter(Probe::sustained).mapToLong(Probe::errors).sum();
    }

    long dropped() {
      return probes.stream().filter(Probe::sustained).mapToLong(Probe::dropped).sum();
    }
  }

  private Capacity() {}

  static Result find(Target target, BenchOptions o, Duration warmup, double hint, Consumer<String> log)
      throws Exception {
    int inFlight = o.concurrency() * target.inFlightFactor();
    Run estimate = LoadGenerator.closedLoop(target, inFlight, warmup, o.saturate(), hint);
    double saturated = estimate.achievedRate();
    log.accept(String.format("%s: %d in flight → %.0f/s (closed loop, first estimate; outcomes %s)", target.name(),
        inFlight, saturated, estimate.counts()));
    double cap = o.maxRate() > 0 ? o.maxRate() : Double.MAX_VALUE;
    double rate = Math.max(1, Math.min(cap, Math.floor(saturated)));
    List<Probe> probes = new ArrayList<>();
    Probe first = probe(target, rate, o, log);
    probes.add(first);
    double best = first.sustained() ? rate : 0;
    double failedAbove = 0;
    if (first.sustained()) {
      // Up in big steps until a probe fails, then once halfway back: few probes even when the first
      // estimate is far below the maximum (a closed loop with few in flight batches poorly).
      for (int i = 0; i < MAX_UP && rate * UP <= cap; i++) {
        rate = Math.floor(rate * UP);
        Probe p = probe(target, rate, o, log);
        probes.add(p);
        if (!p.sustained()) {
          failedAbove = rate;
          break;
        }
        best = rate;
      }
    } else {
      failedAbove = rate;
      for (int i = 0; i < MAX_DOWN && best == 0 && rate > 1; i++) {
        rate = Math.max(1, Math.floor(rate / DOWN));
        Probe p = probe(target, rate, o, log);
        probes.add(p);
        if (p.sustained()) {
          best = rate;
        } else {
          failedAbove = rate;
        }
      }
    }
    if (best > 0 && failedAbove > best * 1.1) {
      // One probe halfway between the highest rate that held and the lowest that failed.
      double mid = Math.floor((best + failedAbove) / 2);
      Probe p = probe(target, mid, o, log);
      probes.add(p);
      if (p.sustained()) {
        best = mid;
      } else {
        failedAbove = mid;
      }
    }
    boolean found = best > 0;
    double max = found ? best : rate;
    boolean bounded = failedAbove > max;
    log.accept(String.format("%s: maximum sustained %.0f/s%s", target.name(), max,
        !found ? " (NOT sustained: no probe held)" : bounded ? "" : " (at least: the search stopped before a probe failed)"));
    return new Result(inFlight, saturated, probes, max, found, bounded);
  }

  /** No search: the maximum is given (--max), after the same JIT warm-up the search would have had. */
  static Result given(Target target, double max, Duration warmup, Consumer<String> log) throws Exception {
    LoadGenerator.fixedRate(target, Math.max(1, max / 2), warmup, Duration.ZERO, Duration.ofSeconds(5));
    log.accept(String.format("%s: maximum given as %.0f/s (no search)", target.name(), max));
    return new Result(0, 0, List.of(), max, true, true);
  }

  /**
   * A probe that fails narrowly (no errors, at most 1 % left open) is run once more and counts as
   * failed only if it fails again: on a shared machine a stall of a second (another process, a
   * collection) leaves a backlog that fails a probe once, while an overload fails it every time.
   * A clear overload (errors, or many left open) is not repeated.
   */
  private static Probe probe(Target target, double rate, BenchOptions o, Consumer<String> log) throws Exception {
    Probe first = probeOnce(target, rate, o, log);
    boolean narrow = first.errors() == 0 && first.dropped() <= rate * o.probe().toMillis() / 1000.0 / 100;
    return first.sustained() || !narrow ? first : probeOnce(target, rate, o, log);
  }

  private static Probe probeOnce(Target target, double rate, BenchOptions o, Consumer<String> log) throws Exception {
    Run run = LoadGenerator.fixedRate(target, rate, o.probeWarmup(), o.probe(), o.sustainP99().multipliedBy(2));
    double p99 = run.percentileMillis(Request.ANSWER, 99);
    for (String stage : run.histograms().keySet()) {
      p99 = Math.max(p99, run.percentileMillis(stage, 99));
    }
    boolean sustained = run.errors() == 0 && run.dropped() == 0 && !Double.isNaN(p99) && p99 <= o.sustainP99().toMillis()
        && !run.latencyGrew();
    Probe p = new Probe(rate, run.achievedRate(), run.errors(), run.dropped(), p99, sustained);
    log.accept(String.format("%s: probe %.0f/s → %.0f/s answered, p99 %.1f ms, %d errors, %d dropped: %s",
        target.name(), rate, p.achieved(), p99, p.errors(), p.dropped(), sustained ? "sustained" : "not sustained"));
    return p;
  }
}
