package io.otpflow.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerRateLimitTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void admitsTheLimitAtOnceThenRefusesUntilATokenIsBack() {
    AnswerRateLimit limit = new AnswerRateLimit(3, 100, nanos::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limit.acquire("192.0.2.1")).isZero();
    }
    assertThat(limit.acquire("192.0.2.1")).as("one token every 20 s").isEqualTo(Duration.ofSeconds(20));
    assertThat(limit.acquire("192.0.2.2")).as("another address has its own").isZero();
    advance(Duration.ofSeconds(19));
    assertThat(limit.acquire("192.0.2.1")).isEqualTo(Duration.ofSeconds(1));
    advance(Duration.ofSeconds(1));
    assertThat(limit.acquire("192.0.2.1")).isZero();
    assertThat(limit.acquire("192.0.2.1")).isPositive();
    advance(Duration.ofMinutes(5));
    for (int i = 0; i < 3; i++) {
      assertThat(limit.acquire("192.0.2.1")).as("full again, never more than the limit").isZero();
    }
    assertThat(limit.acquire("192.0.2.1")).isPositive();
  }

  @Test
  void anIpv6SubscriberCountsOncePerSlash64HoweverItWritesItsAddresses() {
    AnswerRateLimit limit = new AnswerRateLimit(2, 100, nanos::get);
    assertThat(limit.acquire("2001:db8:1:2::1")).isZero();
    assertThat(limit.acquire("2001:DB8:1:2:ffff:0:0:7")).isZero();
    assertThat(limit.acquire("2001:db8:1:2:0:0:0:99")).as("the same /64").isPositive();
    assertThat(limit.acquire("2001:db8:1:3::1")).as("the next /64").isZero();
    assertThat(AnswerRateLimit.subject("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
  }

  @Test
  void theTableOfAddressesIsBoundedAndIdleOnesMakeRoom() {
    AnswerRateLimit limit = new AnswerRateLimit(1, 3, nanos::get);
    for (int i = 1; i <= 3; i++) {
      assertThat(limit.acquire("198.51.100." + i)).isZero();
    }
    // Full: new addresses share one bucket, so a flood from fresh addresses gets one limit's worth.
    assertThat(limit.acquire("203.0.113.1")).isZero();
    assertThat(limit.acquire("203.0.113.2")).isPositive();
    assertThat(limit.acquire("203.0.113.3")).isPositive();
    assertThat(limit.tracked()).isEqualTo(4); // three addresses and the shared bucket
    assertThat(limit.acquire("198.51.100.1")).as("a tracked address keeps its own").isPositive();
    advance(Duration.ofMinutes(1));
    assertThat(limit.acquire("203.0.113.4")).as("idle buckets were dropped").isZero();
    assertThat(limit.tracked()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {
      "192.0.2.7  | null                           | 192.0.2.7",   // no proxy: the peer
      "192.0.2.7  | 203.0.113.5                    | 192.0.2.7",   // a header from an untrusted peer is ignored
      "10.0.0.1   | 203.0.113.5                    | 203.0.113.5", // the trusted proxy says who it saw
      "10.0.0.1   | 1.1.1.1, 203.0.113.5           | 203.0.113.5", // the client cannot choose by prepending
      "10.0.0.1   | 203.0.113.5, 10.0.0.2          | 203.0.113.5", // a chain of trusted proxies
      "10.0.0.1   | 10.0.0.2                       | 10.0.0.1",    // only proxies: the peer
      "10.0.0.1   | evil.example                   | 10.0.0.1",    // not an address: the peer, no DNS lookup
      "10.0.0.1   | 203.0.113.5:4711               | 10.0.0.1",
      "10.0.0.1   | 2001:DB8::1                    | 2001:db8:0:0:0:0:0:1"})
  void theClientIsThePeerOrWhatATrustedProxyReports(String peer, String forwarded, String client) {
    assertThat(AnswerRateLimit.clientOf(peer, forwarded, Set.of("10.0.0.1", "10.0.0.2"))).isEqualTo(client);
  }

  @Test
  void manyThreadsOnOneAddressGetExactlyTheLimit() throws Exception {
    AnswerRateLimit limit = new AnswerRateLimit(50, 100, nanos::get);
    AtomicLong admitted = new AtomicLong();
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 400; i++) {
        pool.submit(() -> {
          if (limit.acquire("192.0.2.9").isZero()) {
            admitted.incrementAndGet();
          }
        });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(admitted.get()).isEqualTo(50);
  }
}
