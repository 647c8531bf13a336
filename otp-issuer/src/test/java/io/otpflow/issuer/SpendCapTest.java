package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
import io.otpflow.common.Metrics;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The daily spend cap through {@link Issuer} on a real Redis, with the issuer's metrics registry. */
class SpendCapTest {
  private static final CodeMac MAC = new CodeMac("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final SecretBox BOX =
      new SecretBox(Map.of("t1", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII)));
  private static final SmsPrices PRICES = SmsPrices.parse(
      "{\"currency\": \"USD\", \"default\": 0.05, \"calling_codes\": {\"1\": 0.01, \"44\": 0.04}}", "test");
  private static final AtomicInteger NUMBERS = new AtomicInteger(100_000);

  // One minute before midnight UTC: the cap resets a minute later.
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T23:59:00Z"));
  private final List<SmsDispatch> dispatched = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private UnifiedJedis redis;
  private String capped;
  private String uncapped;
  private Issuer issuer;

  @BeforeEach
  void newIssuer() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 4)
        .connect(metrics);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    capped = "capped-" + suffix;
    uncapped = "free-" + suffix;
    TenantDirectory tenants = TenantDirectory.parse("""
        [{"id": "%s", "api_key": "%s-key", "daily_spend_cap": 0.10}, {"id": "%s", "api_key": "%s-key"}]"""
        .formatted(capped, capped, uncapped, uncapped));
    issuer = new Issuer(tenants, new RedisChallengeStore(redis, Duration.ofHours(1)), new CodeGenerator(), MAC, BOX,
        dispatched::add, new io.otpflow.common.accounts.AccountRegistryReader(redis, MAC, clock), BOX, clock,
        new SendFunnel(metrics, PRICES), new SpendCap(redis, PRICES, tenants, clock, metrics));
  }

  @AfterEach
  void disconnect() {
    redis.close();
  }

  private IssuerReply send(String tenant, String to) throws Exception {
    return issuer.handle(IssuerRequest.Send.sms(UUID.randomUUID().toString(), clock.instant(), tenant,
        "VE" + UUID.randomUUID().toString().replace("-", ""), to, null, null, null, "fp-" + to));
  }

  private static String uk() {
    return "+447400" + NUMBERS.incrementAndGet();
  }

  private static String us() {
    return "+1415555" + String.format("%04d", NUMBERS.incrementAndGet() % 10_000);
  }

  private double gauge(String name) {
    return metrics.get(name).tag(Metrics.TAG_TENANT, capped).gauge().value();
  }

  @Test
  void sendsStopExactlyAtTheCapByPriceAndResumeOnTheNextUtcDay() throws Exception {
    assertThat(send(capped, uk())).isInstanceOf(IssuerReply.Created.class);   // 0.04
    assertThat(send(capped, uk())).isInstanceOf(IssuerReply.Created.class);   // 0.08
    assertThat(send(capped, uk())).as("0.12 would pass the cap of 0.10")
        .isEqualTo(new IssuerReply.RateLimited(IssuerReply.RateLimited.SPEND_CAP, 60));
    assertThat(send(capped, us())).as("a cheaper message still fits").isInstanceOf(IssuerReply.Created.class); // 0.09
    assertThat(send(capped, us())).as("exactly at the cap").isInstanceOf(IssuerReply.Created.class);         // 0.10
    assertThat(send(capped, us())).isInstanceOf(IssuerReply.RateLimited.class);
    assertThat(dispatched).as("refused sends dispatch nothing").hasSize(4);

    assertThat(gauge(Metrics.SPEND_CAP_SPENT)).isCloseTo(0.10, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(gauge(Metrics.SPEND_CAP_LIMIT)).isEqualTo(0.10);
    assertThat(metrics.get(Metrics.SPEND_CAP_REFUSED).tag(Metrics.TAG_TENANT, capped)
        .tag(Metrics.TAG_COUNTRY_CODE, "44").counter().count()).isEqualTo(1);
    assertThat(metrics.get(Metrics.SPEND_CAP_REFUSED).tag(Metrics.TAG_TENANT, capped)
        .tag(Metrics.TAG_COUNTRY_CODE, "1").counter().count()).isEqualTo(1);
    assertThat(metrics.get(Metrics.REQUESTED).tag(Metrics.TAG_TENANT, capped).counters())
        .as("refused sends are not requested verifications").extracting(c -> c.count()).containsOnly(2.0);

    clock.advance(Duration.ofSeconds(61)); // 2026-11-25 00:00:01 UTC
    assertThat(gauge(Metrics.SPEND_CAP_SPENT)).isZero();
    assertThat(send(capped, uk())).isInstanceOf(IssuerReply.Created.class);
    assertThat(redis.get(RedisKeys.spend(capped, "2026-11-25"))).isEqualTo("40000");
    assertThat(redis.pttl(RedisKeys.spend(capped, "2026-11-25"))).as("yesterday's counter goes away by itself")
        .isBetween(Duration.ofDays(1).toMillis(), Duration.ofDays(2).toMillis());
  }

  @Test
  void aTenantWithoutACapNeverTouchesASpendCounter() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(send(uncapped, uk())).isInstanceOf(IssuerReply.Created.class);
    }
    assertThat(redis.keys("otp:spend:{t:" + uncapped + "}:*")).isEmpty();
    assertThat(metrics.find(Metrics.SPEND_CAP_LIMIT).tag(Metrics.TAG_TENANT, uncapped).gauge()).isNull();
  }

  @Test
  void everyRedisCallIsTimedWithTheScriptItRan() throws Exception {
    send(capped, uk());
    assertThat(metrics.get(Metrics.REDIS_COMMANDS).tag(Metrics.TAG_SCRIPT, "spend-cap").timers())
        .as("the spend-cap script ran (EVALSHA, or EVAL the first time Redis sees it)")
        .extracting(t -> t.getId().getTag(Metrics.TAG_OUTCOME)).contains("ok");
    assertThat(metrics.get(Metrics.REDIS_COMMANDS).tag(Metrics.TAG_SCRIPT, "send-limits").tag(Metrics.TAG_OUTCOME, "ok")
        .timers()).isNotEmpty();
    assertThat(metrics.get(Metrics.REDIS_COMMANDS).tag(Metrics.TAG_COMMAND, "hgetall").tag(Metrics.TAG_SCRIPT, "none")
        .timer().count()).as("plain commands are timed too").isPositive();
  }
}
