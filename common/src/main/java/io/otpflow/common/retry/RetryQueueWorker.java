package io.otpflow.common.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * Runs the due entries of a dispatcher's retry queue: second and later attempts, and sends whose
 * dispatcher died holding their lease. The queue lives in Redis, not in this process, so an entry
 * survives a restart and is run by whichever instance polls first; the dispatcher's take is atomic,
 * so it runs once. Each entry runs on its own virtual thread, at most {@code maxInFlight} at a time,
 * so one slow provider call holds up no other message.
 *
 * <p>Why a queue rather than sleeping in the consumer's batch: a batch is committed, and the next one
 * polled, only when all its records are done, so one message waiting out a Retry-After would hold back
 * every message behind it on its partition.
 */
public final class RetryQueueWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryQueueWorker.class);

  /** The queue, as the dispatcher keeps it in Redis. */
  public interface Queue {
    /** How many entries are queued, due or not, of every instance. */
    long queued();

    /** At most {@code limit} entries due at {@code now}, oldest first (taking one is the attempt's job). */
    List<String> due(Instant now, int limit);
  }

  /** Runs one due entry; throws when a dependency failed (the entry is due again later). */
  @FunctionalInterface
  public interface Attempt {
    void run(String member) throws Exception;
  }

  private final String what;
  private final Queue queue;
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

  /**
   * @param what what is retried, for the thread's name and the log ("sms", "push")
   */
  public RetryQueueWorker(String what, Queue queue, Attempt attempt, Clock clock, Duration pollInterval,
      int maxInFlight) {
    this.what = what;
    this.queue = queue;
    this.attempt = attempt;
    this.clock = clock;
    this.pollInterval = pollInterval;
    this.maxInFlight = maxInFlight;
    this.slots = new Semaphore(maxInFlight);
    this.thread = Thread.ofPlatform().name(what + "-retries").daemon(true).unstarted(this::run);
  }

  public RetryQueueWorker start() {
    thread.start();
    return this;
  }

  /** False once the worker stopped: readiness reports it. */
  public boolean isRunning() {
    return running && thread.isAlive();
  }

  /** Entries on the queue at the last poll (every instance's, due or not). */
  public long queued() {
    return queued.get();
  }

  private void run() {
    long failures = 0;
    while (running) {
      try {
        queued.set(queue.queued());
        for (String member : queue.due(clock.instant(), maxInFlight)) {
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
          LOG.warn("The {} retry queue cannot be read ({}); retrying.", what, e.toString());
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
      LOG.warn("A {} retry could not finish; its entry comes due again: {}", what, e.toString());
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
        LOG.warn("{} retries still in flight after 30 s are abandoned; their claims keep them from being sent twice"
            + " and hand them to another dispatcher.", what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
