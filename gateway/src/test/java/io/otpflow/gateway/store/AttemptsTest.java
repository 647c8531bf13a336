package io.otpflow.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.otpflow.common.RedisSettings;
import io.otpflow.testing.LogCapture;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/**
 * The password's limit on a real Redis: growing waits per (address, username), a short capped wait
 * per username, nothing per address alone, failures reserved atomically, and the one-time warning
 * about a reverse proxy that is not trusted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttemptsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  private static UnifiedJedis redis;
  private final String tenant = "a-" + UUID.randomUUID().toString().substring(0, 8);
  private final Attempts attempts = new Attempts(redis, true);

  @BeforeAll
  static void connect() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 64)
        .connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @Test
  void oneAddressGuessingOneUsernameWaitsLongerAndLongerUpToItsMaximum() {
    for (int i = 0; i < Attempts.FREE_PER_PAIR; i++) {
      assertThat(attempts.reserve(tenant, "198.51.100.7", "ada", T0)).isInstanceOf(Attempts.Reserved.class);
    }
    assertThat(attempts.reserve(tenant, "198.51.100.7", "ada", T0)).as("the first failure past the free ones")
        .isInstanceOf(Attempts.Reserved.class);
    assertThat(attempts.reserve(tenant, "198.51.100.7", "ada", T0)).isEqualTo(new Attempts.Wait(1));
    Instant t = T0.plusSeconds(1);
    long previous = 1;
    for (int i = 0; i < 14; i++) {
      assertThat(attempts.reserve(tenant, "198.51.100.7", "ada", t)).isInstanceOf(Attempts.Reserved.class);
      Attempts.Wait wait = (Attempts.Wait) attempts.reserve(tenant, "198.51.100.7", "ada", t);
      assertThat(wait.seconds()).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Attempts.MAX_WAIT_PER_PAIR.toSeconds());
      previous = wait.seconds();
      t = t.plusSeconds(wait.seconds());
    }
    assertThat(previous).as("capped").isEqualTo(Attempts.MAX_WAIT_PER_PAIR.toSeconds());
  }

  @Test
  void aSharedAddressKeepsSigningOtherPeopleIn() {
    // A reverse proxy that is not trusted: everyone seems to come from 10.0.0.2.
    for (int i = 0; i < 200; i++) {
      assertThat(attempts.reserve(tenant, "10.0.0.2", "sprayed-" + i, T0)).isInstanceOf(Attempts.Reserved.class);
    }
    Attempts.Reservation bea = attempts.reserve(tenant, "10.0.0.2", "bea", T0);
    assertThat(bea).as("no hard block per address").isInstanceOf(Attempts.Reserved.class);
  }

  @Test
  void aStrangerMakesTheRealPersonWaitHalfAMinuteAtMost() {
    Instant t = T0;
    for (int i = 0; i < 40; i++) { // a stranger's wrong passwords from ever new addresses
      if (attempts.reserve(tenant, "203.0.113." + i, "cai", t) instanceof Attempts.Wait w) {
        assertThat(w.seconds()).isLessThanOrEqualTo(Attempts.MAX_WAIT_PER_USER.toSeconds());
        t = t.plusSeconds(w.seconds());
      }
    }
    Attempts.Reservation own = attempts.reserve(tenant, "192.0.2.50", "cai", t);
    if (own instanceof Attempts.Wait w) {
      assertThat(w.seconds()).isLessThanOrEqualTo(Attempts.MAX_WAIT_PER_USER.toSeconds());
      own = attempts.reserve(tenant, "192.0.2.50", "cai", t.plusSeconds(w.seconds()));
    }
    assertThat(own).as("after half a minute at most, the person tries their password").isInstanceOf(Attempts.Reserved.class);
    attempts.succeeded((Attempts.Reserved) own);
    assertThat(attempts.reserve(tenant, "203.0.113.99", "cai", t)).as("a right password starts the counts again")
        .isInstanceOf(Attempts.Reserved.class);
  }

  @Test
  void attemptsSentAtOnceCannotSlipUnderTheLimit() throws Exception {
    int n = 60;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Attempts.Reservation>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return attempts.reserve(tenant, "198.51.100.9", "dan", T0);
        }));
      }
      start.countDown();
      long passed = 0;
      for (Future<Attempts.Reservation> f : futures) {
        passed += f.get(20, TimeUnit.SECONDS) instanceof Attempts.Reserved ? 1 : 0;
      }
      assertThat(passed).as("the free failures and the one that starts the wait").isEqualTo(Attempts.FREE_PER_PAIR + 1);
    }
  }

  @Test
  void aCheckThatNeverRanGivesItsFailureBack() {
    for (int i = 0; i < Attempts.FREE_PER_PAIR + 1; i++) {
      Attempts.Reserved r = (Attempts.Reserved) attempts.reserve(tenant, "198.51.100.10", "eve", T0);
      attempts.refund(r); // every hashing slot was busy
    }
    assertThat(attempts.reserve(tenant, "198.51.100.10", "eve", T0)).isInstanceOf(Attempts.Reserved.class);
  }

  @Test
  void everySignInFromOnePrivateAddressWithNoTrustedProxyIsWarnedAboutOnce() {
    try (LogCapture log = LogCapture.attachTo(SingleAddressWarning.class.getName(), Level.WARN)) {
      Attempts untrusted = new Attempts(redis, false);
      for (int i = 0; i < SingleAddressWarning.AFTER * 3; i++) {
        untrusted.reserve(tenant, "10.1.2.3", "user-" + i, T0);
      }
      assertThat(log.messages()).singleElement().asString().contains("10.1.2.3").contains("OTPFLOW_TRUSTED_PROXIES");

      log.clear();
      Attempts direct = new Attempts(redis, false);
      for (int i = 0; i < SingleAddressWarning.AFTER * 3; i++) {
        direct.reserve(tenant, i % 2 == 0 ? "10.1.2.3" : "198.51.100.1", "user-" + i, T0);
      }
      Attempts trusted = new Attempts(redis, true);
      for (int i = 0; i < SingleAddressWarning.AFTER * 3; i++) {
        trusted.reserve(tenant, "10.1.2.3", "user-" + i, T0);
      }
      assertThat(log.messages()).as("clients seen directly, or a proxy that is trusted: nothing to say").isEmpty();
    }
  }

  @Test
  void privateAddressesAreToldApartWithoutLookingAnythingUp() {
    assertThat(SingleAddressWarning.isPrivate("10.0.0.1")).isTrue();
    assertThat(SingleAddressWarning.isPrivate("192.168.1.20")).isTrue();
    assertThat(SingleAddressWarning.isPrivate("127.0.0.1")).isTrue();
    assertThat(SingleAddressWarning.isPrivate("fd12:3456::1")).isTrue();
    assertThat(SingleAddressWarning.isPrivate("198.51.100.1")).isFalse();
    assertThat(SingleAddressWarning.isPrivate("2001:db8::1")).isFalse();
    assertThat(SingleAddressWarning.isPrivate("localhost")).as("a name, not an address").isFalse();
  }
}
