package io.otpflow.sms;

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
 * Runs the SMS retry queue's due entries: second and later attempts, and sends whose dispatcher died
 * holding their lease. The queue lives in Redis, not in this process, so an entry survives a restart
 * and is run by whichever instance polls first; the take is atomic ({@code take.lua}), so it runs
 * once. Each entry runs on its own virtual thread, at most {@code maxInFlight} at a time, so one slow
 * provider call holds up no other SMS, and no consumer batch waits for a backoff.
 */
final class RetryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryWorker.class);

  /** Runs one due entry; throws when a dependency failed (the entry is due again later). */
  @FunctionalInterface
  interface Attempt {
    void run(String member) throws Exception;
  }

  private final SmsClaims claims;
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

  RetryWorker(SmsClaims claims, Attempt attempt, Clock clock, Duration pollInterval, int maxInFlight) {
    this.claims = claims;
    this.attempt = attempt;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.maxInFlight = maxInFlight;
    this.slots = new Semaphore(maxInFlight);
    this.thread = Thread.ofPlatform().name("sms-retries").daemon(true).unstarted(this::run);
  }

  RetryWorker start() {
    thread.start();
    return this;
  }

  /** False once the worker stopped: readiness reports it. */
  boolean isRunning() {
    return running && thread.isAlive();
  }

  /** Entries on the queue at the last poll (every instance's, due or not). */
  long queued() {
    return queued.get();
  }

  private void run() {
    long failures = 0;
    while (running) {
      try {
        queued.set(claims.queued());
        for (String member : claims.due(clock.instant(), maxInFlight)) {
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
          LOG.warn("The SMS retry queue cannot be read ({}); retrying.", e.toString());
        }
      }
      try {
        Thread.sleep(pollInterval); // the poller's own pace, not a send's backoff: no batch waits on it
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
      LOG.warn("An SMS retry could not finish; its entry comes due again: {}", e.toString());
    } finally {
      inFlight.remove(member);
      slots.release();
    }
  }

  /** Stops taking entries and lets the attempts in flight finish; the rest stays queued for any instance. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(pollInterval.multipliedBy(2).plusSeconds(1));
      workers.shutdown();
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("SMS retries still in flight after 30 s are abandoned; their leases hand them to another dispatcher.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
