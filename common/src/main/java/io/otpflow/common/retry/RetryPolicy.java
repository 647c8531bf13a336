package io.otpflow.common.retry;

import java.time.Duration;
import java.util.function.LongBinaryOperator;

/**
 * How often and when a transient provider failure is tried again: exponential backoff with jitter,
 * never earlier than the provider's Retry-After, within a bounded number of attempts. One rule for
 * both dispatchers; each picks its own budget.
 *
 * @param maxAttempts provider calls in all, the first one included
 * @param firstDelay the backoff after the first failure; it doubles after each further one
 * @param maxDelay the longest backoff (a Retry-After may ask for more, up to {@link #MAX_RETRY_AFTER})
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay) {
  /** A provider asking for more than this is taken at this; the code's expiry usually ends it first. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  public RetryPolicy {
    if (maxAttempts < 1 || firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
      throw new IllegalArgumentException("A retry policy needs at least one attempt and 0 < firstDelay <= maxDelay.");
    }
  }

  /**
   * The wait before attempt {@code failedAttempt + 1}: drawn from [backoff/2, backoff] without a
   * Retry-After, so dispatchers that failed together do not retry together; with one, Retry-After
   * plus up to half a backoff, so never earlier than the provider asked.
   *
   * @param random draws a long in [from, to)
   */
  public Duration waitAfter(int failedAttempt, Duration retryAfter, LongBinaryOperator random) {
    long backoff = firstDelay.toMillis();
    for (int i = 1; i < failedAttempt && backoff < maxDelay.toMillis(); i++) {
      backoff *= 2;
    }
    backoff = Math.min(backoff, maxDelay.toMillis());
    if (retryAfter != null && !retryAfter.isNegative()) {
      long asked = Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
      return Duration.ofMillis(asked + random.applyAsLong(0, backoff / 2 + 1));
    }
    return Duration.ofMillis(random.applyAsLong(backoff / 2, backoff + 1));
  }
}
