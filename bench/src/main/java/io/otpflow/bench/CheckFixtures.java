package io.otpflow.bench;

import io.otpflow.issuer.IssuerRedisCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pending verifications with known codes, for checks: each check spends one (the right code
 * approves it once). Raw Redis sends add theirs; the rest are stored between runs the way the issuer
 * stores a new verification, so the checks measure checking, not the send rate. Fixtures older than
 * {@link #FRESH} are thrown away so none expires under a check.
 */
final class CheckFixtures {
  private static final Duration FRESH = Duration.ofMinutes(4);

  record Fixture(String verificationId, String code, long createdNanos) {}

  private final ConcurrentLinkedQueue<Fixture> queue = new ConcurrentLinkedQueue<>();
  private final IssuerRedisCalls issuer;
  private final Destinations destinations;

  CheckFixtures(IssuerRedisCalls issuer, Destinations destinations) {
    this.issuer = issuer;
    this.destinations = destinations;
  }

  void add(String verificationId, String code) {
    queue.add(new Fixture(verificationId, code, System.nanoTime()));
  }

  /**
   * The oldest fresh fixture. When none is left one is stored on the spot and the request notes it
   * ("fixture-on-demand"): that only happens in the closed-loop estimate, whose length in requests
   * is unknown beforehand; fixed-rate runs are provisioned ahead by {@link #ensure}.
   */
  Fixture take(Request r) {
    Fixture f;
    while ((f = queue.poll()) != null) {
      if (System.nanoTime() - f.createdNanos() < FRESH.toNanos()) {
        return f;
      }
    }
    r.note("fixture-on-demand");
    return create();
  }

  private Fixture create() {
    String id = "VE" + HexFormat.of().formatHex(randomBytes());
    String code = String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
    issuer.store(id, destinations.nextNumber(), destinations.nextAccount(), code, Instant.now());
    return new Fixture(id, code, System.nanoTime());
  }

  /** Stores verifications until at least {@code count} are waiting; runs before a run, never during one. */
  void ensure(long count) throws Exception {
    long missing = count - queue.size();
    if (missing <= 0) {
      return;
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> work = new ArrayList<>();
      int workers = 32;
      for (int w = 0; w < workers; w++) {
        long share = missing / workers + (w < missing % workers ? 1 : 0);
        work.add(pool.submit(() -> {
          for (long i = 0; i < share; i++) {
            queue.add(create());
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
