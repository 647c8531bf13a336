package io.otpflow.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.RedisKeys;
import io.otpflow.testing.RedisFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The push dispatcher's Lua scripts on a real Redis. */
class RedisPushStateTest {
  static UnifiedJedis redis;
  static RedisPushState state;
  private final String vid = "VE" + HexFormat.of().formatHex(random());
  private final String field = RedisPushState.sendField("DV" + HexFormat.of().formatHex(random()));

  @BeforeAll
  static void connect() {
    redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port());
    state = new RedisPushState(redis);
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  private static byte[] random() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  @Test
  void aClaimIsTakenOnceAndLivesBeyondTheCode() {
    assertThat(state.claim(vid, field, Duration.ofMinutes(65), true)).isEqualTo(new RedisPushState.Claim("claimed", ""));
    assertThat(state.claim(vid, field, Duration.ofMinutes(65), true))
        .isEqualTo(new RedisPushState.Claim("existing", "sending"));
    assertThat(redis.pttl(RedisKeys.pushState(vid))).isGreaterThan(Duration.ofMinutes(64).toMillis());
  }

  @Test
  void aDecidedVerificationBlocksSendsButNotWithdrawals() {
    state.decide(vid, "DV1|approved", Duration.ofHours(1));
    assertThat(state.claim(vid, field, Duration.ofMinutes(5), true))
        .isEqualTo(new RedisPushState.Claim("decided", "DV1|approved"));
    assertThat(state.state(vid, field)).isEqualTo("failed:decided");
    String withdraw = "w:" + field.substring(2);
    assertThat(state.claim(vid, withdraw, Duration.ofMinutes(5), false).status()).isEqualTo("claimed");
  }

  @Test
  void theFirstVerdictWinsAndListsTheAcceptedDevices() {
    state.claim(vid, field, Duration.ofMinutes(5), true);
    assertThat(state.settle(vid, field, "sent:m1", "d:DVa", "{\"tenant\":\"acme\"}", Duration.ofMinutes(5))).isNull();
    RedisPushState.Decision first = state.decide(vid, "DVa|approved", Duration.ofHours(1));
    RedisPushState.Decision second = state.decide(vid, "-|expired", Duration.ofHours(1));
    assertThat(first.decided()).isEqualTo("DVa|approved");
    assertThat(second.decided()).isEqualTo("DVa|approved");
    assertThat(second.devices()).containsOnlyKeys("d:DVa");
    // A send accepted after the verdict learns of it, so it can withdraw itself.
    String late = RedisPushState.sendField("DVb");
    state.claim(vid, late, Duration.ofMinutes(5), false);
    assertThat(state.settle(vid, late, "sent:m2", "d:DVb", "{}", Duration.ofMinutes(5))).isEqualTo("DVa|approved");
  }

  @Test
  void aDueRetryIsTakenByExactlyOneOfManyWorkers() throws Exception {
    state.claim(vid, field, Duration.ofMinutes(5), true);
    state.schedule(vid, field, 2, "{\"event\":1}", Instant.now().minusMillis(1), Duration.ofMinutes(5));
    String member = RedisPushState.member(vid, field, 2);
    assertThat(state.due(Instant.now(), 1000)).contains(member);

    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Callable<String>> takers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      takers.add(() -> state.take(member).status());
    }
    List<String> statuses = new ArrayList<>();
    for (Future<String> f : pool.invokeAll(takers)) {
      statuses.add(f.get());
    }
    pool.shutdown();
    assertThat(statuses).containsOnlyOnce("take").containsOnly("take", "stale");
    assertThat(state.state(vid, field)).isEqualTo("sending");
    state.dequeue(member);
    assertThat(state.due(Instant.now(), 1000)).doesNotContain(member);
  }

  @Test
  void aRetryThatWasAcceptedButNotReportedComesBackAsSent() {
    state.claim(vid, field, Duration.ofMinutes(5), true);
    state.schedule(vid, field, 2, "{\"event\":1}", Instant.now(), Duration.ofMinutes(5));
    assertThat(state.take(RedisPushState.member(vid, field, 2)).status()).isEqualTo("take");
    state.settle(vid, field, "sent:m9", null, null, Duration.ofMinutes(5));
    RedisPushState.Taken again = state.take(RedisPushState.member(vid, field, 2));
    assertThat(again.status()).isEqualTo("sent");
    assertThat(again.state()).isEqualTo("sent:m9");
    assertThat(again.event()).isEqualTo("{\"event\":1}");
    state.forget(vid, field);
    assertThat(state.take(RedisPushState.member(vid, field, 2)).status()).isEqualTo("stale");
  }

  @Test
  void aRetryOfADecidedVerificationIsNotSent() {
    state.claim(vid, field, Duration.ofMinutes(5), true);
    state.schedule(vid, field, 3, "{\"event\":1}", Instant.now(), Duration.ofMinutes(5));
    state.decide(vid, "-|approved", Duration.ofHours(1));
    assertThat(state.take(RedisPushState.member(vid, field, 3)).status()).isEqualTo("decided");
    assertThat(state.state(vid, field)).isEqualTo("failed:decided");
  }

  @Test
  void aMalformedQueueMemberIsStale() {
    assertThat(state.take("garbage").status()).isEqualTo("stale");
    assertThat(state.take(vid + " " + field + " x").status()).isEqualTo("stale");
  }
}
