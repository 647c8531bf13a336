package io.otpflow.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(4));
  private static final LongBinaryOperator LOWEST = (from, to) -> from;
  private static final LongBinaryOperator HIGHEST = (from, to) -> to - 1;

  @Test
  void backoffDoublesUpToTheMaximumWithEqualJitter() {
    assertThat(POLICY.waitAfter(1, null, LOWEST)).isEqualTo(Duration.ofMillis(250));
    assertThat(POLICY.waitAfter(1, null, HIGHEST)).isEqualTo(Duration.ofMillis(500));
    assertThat(POLICY.waitAfter(2, null, HIGHEST)).isEqualTo(Duration.ofMillis(1000));
    assertThat(POLICY.waitAfter(3, null, HIGHEST)).isEqualTo(Duration.ofMillis(2000));
    assertThat(POLICY.waitAfter(4, null, HIGHEST)).isEqualTo(Duration.ofMillis(4000));
    assertThat(POLICY.waitAfter(9, null, HIGHEST)).isEqualTo(Duration.ofMillis(4000));
    assertThat(POLICY.waitAfter(9, null, LOWEST)).isEqualTo(Duration.ofMillis(2000));
  }

  @Test
  void retryAfterIsAFloorEvenAboveTheLongestBackoff() {
    assertThat(POLICY.waitAfter(1, Duration.ofSeconds(30), LOWEST)).isEqualTo(Duration.ofSeconds(30));
    assertThat(POLICY.waitAfter(1, Duration.ofSeconds(30), HIGHEST)).isEqualTo(Duration.ofMillis(30_250));
    assertThat(POLICY.waitAfter(3, Duration.ofMillis(100), LOWEST)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void anAbsurdRetryAfterIsCapped() {
    assertThat(POLICY.waitAfter(1, Duration.ofDays(3), LOWEST)).isEqualTo(RetryPolicy.MAX_RETRY_AFTER);
  }

  @Test
  void aPolicyWithoutAttemptsOrWithInvertedDelaysIsRefused() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
