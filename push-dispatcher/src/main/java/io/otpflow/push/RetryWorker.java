package io.otpflow.push;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the second and later attempts of pushes that failed transiently, when they are due. The
 * queue lives in Redis, not in this process: a retry survives a restart of the dispatcher and is
 * taken by whichever instance polls first, and the take is atomic (a claim moving from
 * {@code retry:<n>} to {@code sending}), so it runs once. Each due entry runs on its own virtual
 * thread, at most {@code maxInFlight} at a time, so one slow provider call holds up no other retry.
 *
 * <p>Why not sleep in the consumer's batch, as the SMS dispatcher does: a batch is committed, and the
 * next one polled, only when all its records are done, so one device waiting out a Retry-After would
 * hold back every push behind it, including the other devices of the same verification when their
 * events came in a later poll.
 */
final class RetryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryWorker.class);

  /** Runs one due queue entry; throws when a dependency failed (the entry was put back). */
  @FunctionalInterface
  interface Attempt {
    void run(String member) throws Exception;
  }

  private final RedisPushState state;
  private final Attempt attempt;
  private final Clock clock;
  private final Duration pollInterval;
  private final int maxInFlight;
  private final Semaphore slots;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong queued = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  RetryWorker(RedisPushState state, Attempt attempt, Clock clock, Duration pollInterval, int maxInFlight) {
    this.state = state;
    this.attempt = attempt;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.maxInFlight = maxInFlight;
    this.slots = new Semaphore(maxInFlight);
    this.thread = Thread.ofPlatform().name("push-retries").daemon(true).unstarted(this::run);
  }

  RetryWorker start() {
    thread.start();
    return this;
  }

  /** False once the worker stopped: readiness reports it. */
  boolean isRunning() {
    return running && thread.isAlive();
  }

  /** Entries on the queue at the last poll (all instances' retries, due or not). */
  long queued() {
    return queued.get();
  }

  private void run() {
    long failures = 0;
    while (running) {
      try {
        queued.set(state.queued());
        List<String> due = state.due(clock.instant(), maxInFlight);
        for (String member : due) {
          if (!running || !slots.tryAcquire()) {
            break;
          }
          if (!inFlight.add(member)) {
            slots.release();
            continue;
          }
          workers.submit(() -> runOne(member));
        }
        failures = 0;
      } catch (RuntimeException e) {
        // Redis is down or failing: the entries stay on the queue; say so once, then now and then.
        if (failures++ % 100 == 0) {
          LOG.warn("The push retry queue cannot be read ({}); retrying.", e.toString());
        }
      }
      try {
        Thread.sleep(pollInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void runOne(String member) {
    try {
      attempt.run(member);
    } catch (Exception e) {
      LOG.warn("A push retry could not finish; unless its claim was lost with Redis, it is back on the queue: {}",
          e.toString());
    } finally {
      inFlight.remove(member);
      slots.release();
    }
  }

  /** Stops taking entries and lets the attempts in flight finish; what is not due yet stays queued for the next instance. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(pollInterval.multipliedBy(2).plusSeconds(1));
      workers.shutdown();
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Push retries still in flight after 30 s are abandoned; their claims keep them from being sent twice.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
