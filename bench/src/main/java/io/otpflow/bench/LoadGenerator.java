package io.otpflow.bench;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends requests to a {@link Target}: at a fixed rate (open loop: each request goes out on schedule
 * whether or not earlier ones were answered, which is how independent users behave), or with a fixed
 * number in flight (closed loop: only to find a first estimate of the maximum).
 */
final class LoadGenerator {
  private LoadGenerator() {}

  /**
   * One open-loop run: {@code rate} requests per second for {@code warmup + measure}; only requests
   * scheduled in the measure window are recorded. Afterwards waits up to {@code drain} for answers;
   * what is still open then counts as dropped.
   */
  static Run fixedRate(Target target, double rate, Duration warmup, Duration measure, Duration drain) throws Exception {
    long total = Math.max(1, Math.round(rate * (warmup.toNanos() + measure.toNanos()) / 1e9));
    target.prepare(total);
    long start = System.nanoTime() + 20_000_000;
    long measureFrom = start + warmup.toNanos();
    long measureTo = measureFrom + measure.toNanos();
    Run run = new Run(target.name(), rate, measureFrom, measureTo);
    double period = 1e9 / rate;
    for (long i = 0; i < total; i++) {
      long intended = start + (long) (i * period);
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      run.lag(-wait);
      Request r = run.newRequest(intended);
      try {
        target.fire(r);
      } catch (RuntimeException e) {
        r.fail("fire-" + e.getClass().getSimpleName());
      }
    }
    awaitDrain(run, drain);
    run.close();
    awaitQuiet(run);
    return run;
  }

  /**
   * After a run that left requests open (an overloaded probe), waits until late answers have stopped
   * coming for a second (at most a minute): otherwise the next run would measure this one's backlog.
   */
  private static void awaitQuiet(Run run) throws InterruptedException {
    if (run.dropped() == 0) {
      return;
    }
    long giveUp = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (System.nanoTime() - run.lastActivityNanos() < Duration.ofSeconds(1).toNanos() && System.nanoTime() < giveUp) {
      Thread.sleep(50);
    }
  }

  /**
   * A closed-loop run: {@code concurrency} requests in flight, each answer sending the next one.
   * Its throughput over the measure window is a first estimate of capacity (latency is not reported:
   * a closed loop hides queueing).
   */
  static Run closedLoop(Target target, int concurrency, Duration warmup, Duration measure, double capacityHint)
      throws Exception {
    // Fixtures for the measured part only; the warm-up makes what it lacks as it goes.
    target.prepare(Math.round(capacityHint * measure.toNanos() / 1e9));
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long measureTo = measureFrom + measure.toNanos();
    Run run = new Run(target.name() + "-saturate", 0, measureFrom, measureTo);
    AtomicBoolean stop = new AtomicBoolean();
    for (int i = 0; i < concurrency; i++) {
      Thread.ofVirtual().start(() -> {
        Semaphore answered = new Semaphore(0);
        while (!stop.get()) {
          Request r = run.newRequest(System.nanoTime());
          r.onAnswer(answered::release);
          try {
            target.fire(r);
          } catch (RuntimeException e) {
            r.fail("fire-" + e.getClass().getSimpleName());
          }
          try {
            if (!answered.tryAcquire(10, TimeUnit.SECONDS)) {
              return; // this slot's request is lost; the run counts it as dropped
            }
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }
    LockSupport.parkNanos(Math.max(0, measureTo - System.nanoTime()));
    stop.set(true);
    awaitDrain(run, Duration.ofSeconds(5));
    run.close();
    awaitQuiet(run);
    return run;
  }

  private static void awaitDrain(Run run, Duration drain) throws InterruptedException {
    long deadline = System.nanoTime() + drain.toNanos();
    while (run.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }
}
