package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** {@link Issuer} on a real Redis, with dispatch events collected in memory (the port, not Kafka). */
class IssuerTest {
  private static final CodeMac MAC = new CodeMac("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final SecretBox BOX =
      new SecretBox(Map.of("t1", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII)));
  private static UnifiedJedis redis;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final List<SmsDispatch> dispatched = new CopyOnWriteArrayList<>();
  private final AtomicInteger publishFailures = new AtomicInteger();
  private String tenant;
  private Issuer issuer;

  @BeforeAll
  static void connect() {
    RedisFixture fixture = RedisFixture.shared();
    redis = new RedisSettings(URI.create(fixture.uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 8).connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @BeforeEach
  void newIssuer() {
    tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
    TenantDirectory tenants = TenantDirectory.parse(
        "[{\"id\": \"" + tenant + "\", \"display_name\": \"Acme\", \"api_key\": \"" + tenant + "-key\"}]");
    issuer = new Issuer(tenants, new RedisChallengeStore(redis, Duration.ofHours(1)), new CodeGenerator(), MAC, BOX,
        dispatch -> {
          if (publishFailures.getAndDecrement() > 0) {
            throw new java.util.concurrent.TimeoutException("Kafka did not acknowledge in time");
          }
          dispatched.add(dispatch);
        },
        new io.otpflow.common.accounts.AccountRegistryReader(redis, MAC, clock), BOX,
        clock, new SimpleMeterRegistry());
  }

  private IssuerRequest.Send send(String to, String idempotencyKey) {
    return IssuerRequest.Send.sms(UUID.randomUUID().toString(), clock.instant(), tenant,
        "VE" + UUID.randomUUID().toString().replace("-", ""), to, null, null, idempotencyKey, "fp-" + to);
  }

  private String codeOf(SmsDispatch d) {
    return BOX.open(d.code(), d.verificationId());
  }

  @Test
  void aDispatchThatFailsIsFinishedWhenTheRequestComesBackAndTheOldCodeStaysValidMeanwhile() throws Exception {
    IssuerRequest.Send first = send("+14155550101", null);
    issuer.handle(first);
    String firstMac = redis.hget(RedisKeys.verification(first.verificationId()), RedisKeys.Field.MAC);
    clock.advance(Duration.ofSeconds(31));

    IssuerRequest.Send second = send("+14155550101", null);
    publishFailures.set(1);
    assertThatThrownBy(() -> issuer.handle(second)).isInstanceOf(java.util.concurrent.TimeoutException.class);
    // Nothing went out for the second one, so the first code must still work.
    assertThat(redis.hget(RedisKeys.verification(first.verificationId()), "status")).isEqualTo("pending");
    assertThat(redis.hget(RedisKeys.verification(first.verificationId()), RedisKeys.Field.MAC)).isEqualTo(firstMac);

    // The consumer rewinds; the request comes back after its caller gave up, and is finished anyway.
    issuer.finishIfStored(second);
    assertThat(dispatched).extracting(SmsDispatch::verificationId).containsExactly(first.verificationId(), second.verificationId());
    String mac = redis.hget(RedisKeys.verification(second.verificationId()), RedisKeys.Field.MAC);
    assertThat(mac).isEqualTo(MAC.mac(tenant, second.verificationId(), codeOf(dispatched.get(1))));
    assertThat(redis.hget(RedisKeys.verification(first.verificationId()), "status")).isEqualTo("canceled");

    issuer.finishIfStored(second); // once dispatched, coming back again sends nothing
    assertThat(dispatched).hasSize(2);
  }

  @Test
  void aRetryWithTheIdempotencyKeySendsTheCodeThatNeverWentOut() throws Exception {
    IssuerRequest.Send first = send("+14155550102", "key-1");
    publishFailures.set(1);
    assertThatThrownBy(() -> issuer.handle(first)).isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(dispatched).isEmpty();

    IssuerRequest.Send retry = send("+14155550102", "key-1");
    IssuerReply reply = issuer.handle(retry);
    assertThat(reply).isInstanceOfSatisfying(IssuerReply.Created.class, c -> {
      assertThat(c.replayed()).isTrue();
      assertThat(c.verification().id()).isEqualTo(first.verificationId());
    });
    assertThat(dispatched).singleElement().satisfies(d -> assertThat(d.verificationId()).isEqualTo(first.verificationId()));
    issuer.handle(send("+14155550102", "key-1"));
    assertThat(dispatched).hasSize(1);
  }

  @Test
  void aKeyedRetryUnderTheSameIdIsReplayedAndTheKeyReusedForAnotherRequestIsRefused() throws Exception {
    // The gateway derives a keyed send's id from its key: a retry, or a reuse, arrives under the same id.
    IssuerRequest.Send first = send("+14155550104", "key-2");
    assertThat(issuer.handle(first)).isInstanceOfSatisfying(IssuerReply.Created.class, c -> assertThat(c.replayed()).isFalse());
    IssuerRequest.Send retry = IssuerRequest.Send.sms(UUID.randomUUID().toString(), clock.instant(), tenant,
        first.verificationId(), first.to(), null, null, "key-2", first.fingerprint());
    assertThat(issuer.handle(retry)).isInstanceOfSatisfying(IssuerReply.Created.class, c -> {
      assertThat(c.replayed()).isTrue();
      assertThat(c.verification().id()).isEqualTo(first.verificationId());
    });
    IssuerRequest.Send reuse = IssuerRequest.Send.sms(UUID.randomUUID().toString(), clock.instant(), tenant,
        first.verificationId(), "+14155550105", null, null, "key-2", "fp-another-request");
    assertThat(issuer.handle(reuse)).isInstanceOfSatisfying(IssuerReply.Rejected.class,
        r -> assertThat(r.errorCode()).isEqualTo("idempotency-key-reused"));
    assertThat(dispatched).singleElement().satisfies(d -> assertThat(d.to()).isEqualTo("+14155550104"));
  }

  @Test
  void anUnknownTenantIsRejectedWithoutTouchingRedis() throws Exception {
    IssuerRequest.Send other = IssuerRequest.Send.sms(UUID.randomUUID().toString(), clock.instant(), "nobody",
        "VE" + "1".repeat(32), "+14155550103", null, null, null, "fp");
    assertThat(issuer.handle(other)).isEqualTo(new IssuerReply.Rejected("unknown-tenant", "The tenant is not configured on the issuer."));
    assertThat(redis.exists(RedisKeys.verification("VE" + "1".repeat(32)))).isFalse();
  }
}
