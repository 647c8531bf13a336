package io.otpflow.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
import io.otpflow.common.Json;
import io.otpflow.common.RedisKeys;
import io.otpflow.common.RedisSettings;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.events.VerificationView;
import io.otpflow.testing.MutableClock;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
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

/**
 * The issuer's push fan-out on a real Redis, with the registry written as the verifier writes it and
 * dispatch events collected in memory: one event per device, one code for all, re-dispatch with the
 * same code, the fatigue guard, per-device delivery.
 */
class PushIssuerTest {
  private static final CodeMac MAC = new CodeMac("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final SecretBox DISPATCH =
      new SecretBox(Map.of("t1", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII)));
  private static final SecretBox ADDRESS =
      new SecretBox(Map.of("a1", "address-key-address-key-address!".getBytes(StandardCharsets.US_ASCII)));
  private static UnifiedJedis redis;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final List<PushDispatch> pushed = new CopyOnWriteArrayList<>();
  private final AtomicInteger publishFailures = new AtomicInteger();
  private String tenant;
  private Issuer issuer;

  @BeforeAll
  static void connect() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 8)
        .connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  @BeforeEach
  void newIssuer() {
    tenant = "p-" + UUID.randomUUID().toString().substring(0, 8);
    TenantDirectory tenants = TenantDirectory.parse("[{\"id\": \"" + tenant + "\", \"display_name\": \"Acme\", \"api_key\": \""
        + tenant + "-key\", \"push\": {\"max_unanswered\": 3}}]");
    issuer = new Issuer(tenants, new RedisChallengeStore(redis, Duration.ofHours(1)), new CodeGenerator(), MAC, DISPATCH,
        sms -> {
          throw new AssertionError("no SMS expected");
        },
        new AccountRegistryReader(redis, MAC, clock), ADDRESS, clock, new SendFunnel(new SimpleMeterRegistry(), SmsPrices.NONE),
        null, events -> {
          pushed.addAll(events); // a publish that fails half-way may have put some events on the topic already
          if (publishFailures.getAndDecrement() > 0) {
            throw new java.util.concurrent.TimeoutException("Kafka did not acknowledge every event in time");
          }
        });
  }

  /** Registers a device the way the verifier's registry stores it; returns its id. */
  private String device(String account, String platform) {
    String id = "DV" + HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(), 0, 16);
    String token = "token-" + UUID.randomUUID();
    StoredFactor f = new StoredFactor(id, StoredFactor.DEVICE, StoredFactor.ACTIVE, clock.instant(), clock.instant(), null,
        "Alice", null, null, null, null, 0, null, null, null, platform,
        ADDRESS.seal(token, StoredFactor.pushTokenAad(tenant, account)), MAC.mac(tenant, "push-token", token), "phone",
        "MFkw");
    redis.hset(RedisKeys.account(tenant, AccountRegistryReader.accountMac(MAC, tenant, account)), "f:" + id,
        Json.writeString(f));
    clock.advance(Duration.ofMillis(1));
    return id;
  }

  private IssuerRequest.Send push(String account, String mode, boolean matching, String idempotencyKey) {
    return new IssuerRequest.Send(UUID.randomUUID().toString(), clock.instant(), tenant,
        "VE" + UUID.randomUUID().toString().replace("-", ""), "push", null, account, null, idempotencyKey,
        TenantDirectory.sha256("push|" + account + "|" + mode), null, mode, matching, "Firefox on Linux");
  }

  private VerificationView created(IssuerReply reply) {
    assertThat(reply).isInstanceOf(IssuerReply.Created.class);
    return ((IssuerReply.Created) reply).verification();
  }

  @Test
  void codeModeSendsOneCodeToEveryDeviceAndStoresOnlyItsMac() throws Exception {
    String account = "team-" + UUID.randomUUID();
    List<String> devices = List.of(device(account, "apns"), device(account, "apns"), device(account, "fcm"));
    IssuerRequest.Send send = push(account, "code", false, null);

    VerificationView view = created(issuer.handle(send));

    assertThat(view.channel()).isEqualTo("push");
    assertThat(view.mode()).isEqualTo("code");
    assertThat(view.number()).isNull();
    assertThat(view.delivery()).isEqualTo("queued");
    assertThat(view.devices()).extracting(VerificationView.DeviceDelivery::deviceId).containsExactlyInAnyOrderElementsOf(devices);
    assertThat(pushed).extracting(PushDispatch::deviceId).containsExactlyInAnyOrderElementsOf(devices);
    List<String> codes = pushed.stream().map(d -> DISPATCH.open(d.code(), d.verificationId())).distinct().toList();
    assertThat(codes).as("one code for all devices").hasSize(1);
    assertThat(pushed).allSatisfy(d -> {
      assertThat(d.body()).isEqualTo("Your Acme sign-in code is {code}. Requested from Firefox on Linux.");
      assertThat(d.title()).isEqualTo("Acme");
      assertThat(d.numberMatching()).isFalse();
      assertThat(d.expiresAt()).isEqualTo(view.expiresAt());
      // The token is the registry's sealed copy, for the push dispatcher to open.
      assertThat(ADDRESS.open(d.token(), StoredFactor.pushTokenAad(tenant, account))).startsWith("token-");
    });
    Map<String, String> stored = redis.hgetAll(RedisKeys.verification(send.verificationId()));
    assertThat(stored.get("mac")).isEqualTo(MAC.mac(tenant, send.verificationId(), codes.get(0)));
    assertThat(stored).as("the sealed code is gone once every event is acknowledged").doesNotContainKey("pcode");
    assertThat(stored.get("dispatched")).isEqualTo("1");
  }

  @Test
  void approveModeSendsNoCodeAndNumberMatchingKeepsTheNumberFromTheDevices() throws Exception {
    String account = "family-" + UUID.randomUUID();
    device(account, "apns");
    device(account, "fcm");
    VerificationView view = created(issuer.handle(push(account, "approve", true, null)));

    assertThat(view.number()).isBetween(10, 99);
    assertThat(pushed).hasSize(2).allSatisfy(d -> {
      assertThat(d.code()).isNull();
      assertThat(d.numberMatching()).isTrue();
      assertThat(d.body()).isEqualTo("Approve sign-in to Acme from Firefox on Linux? Enter the number shown on the sign-in screen.");
      assertThat(Json.writeString(d)).doesNotContain("\"number\"");
    });
    assertThat(redis.hget(RedisKeys.verification(view.id()), "mac")).isNull();
    assertThat(redis.hget(RedisKeys.verification(view.id()), "number")).isEqualTo(Integer.toString(view.number()));
  }

  @Test
  void anAccountWithoutDevicesHasNoActiveFactorAndIsNotCounted() throws Exception {
    IssuerRequest.Send send = push("nobody-" + UUID.randomUUID(), "approve", false, null);
    assertThat(issuer.handle(send)).isInstanceOfSatisfying(IssuerReply.Rejected.class,
        r -> assertThat(r.errorCode()).isEqualTo("no-active-factor"));
    assertThat(redis.exists(RedisKeys.verification(send.verificationId()))).isFalse();
    assertThat(pushed).isEmpty();
  }

  @Test
  void aPublishThatFailsHalfWayIsFinishedWithTheSameCodeForEveryDevice() throws Exception {
    String account = "ops-" + UUID.randomUUID();
    device(account, "apns");
    device(account, "fcm");
    IssuerRequest.Send send = push(account, "code", false, null);
    publishFailures.set(1);
    assertThatThrownBy(() -> issuer.handle(send)).isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(redis.hget(RedisKeys.verification(send.verificationId()), "pcode")).as("kept for the re-dispatch").isNotNull();
    assertThat(redis.hget(RedisKeys.verification(send.verificationId()), "pcode")).doesNotContain(
        DISPATCH.open(pushed.get(0).code(), send.verificationId()));

    issuer.finishIfStored(send); // the request comes back after its caller gave up
    assertThat(pushed).hasSize(4);
    assertThat(pushed.stream().map(d -> DISPATCH.open(d.code(), d.verificationId())).distinct())
        .as("a device that got the first event and one that did not get the same code").hasSize(1);
    assertThat(redis.hget(RedisKeys.verification(send.verificationId()), "pcode")).isNull();

    issuer.finishIfStored(send); // dispatched now: nothing again
    assertThat(created(issuer.handle(send)).id()).isEqualTo(send.verificationId());
    assertThat(pushed).hasSize(4);
  }

  @Test
  void theSameIdempotencyKeyReplaysTheVerificationAndPushesNothingMore() throws Exception {
    String account = "idem-" + UUID.randomUUID();
    device(account, "fcm");
    VerificationView first = created(issuer.handle(push(account, "approve", false, "login-7")));
    IssuerReply again = issuer.handle(push(account, "approve", false, "login-7"));
    assertThat(again).isInstanceOfSatisfying(IssuerReply.Created.class, c -> {
      assertThat(c.replayed()).isTrue();
      assertThat(c.verification().id()).isEqualTo(first.id());
    });
    assertThat(pushed).hasSize(1);
  }

  @Test
  void theFatigueGuardRefusesPushesBeyondTheLimitUntilTheAccountSucceeds() throws Exception {
    String account = "bombed-" + UUID.randomUUID();
    device(account, "apns");
    for (int i = 0; i < 3; i++) {
      created(issuer.handle(push(account, "approve", false, null)));
      clock.advance(Duration.ofMinutes(1));
    }
    IssuerRequest.Send fourth = push(account, "approve", false, null);
    assertThat(issuer.handle(fourth)).isInstanceOfSatisfying(IssuerReply.RateLimited.class, r -> {
      assertThat(r.reason()).isEqualTo("unanswered");
      assertThat(r.retryAfterSeconds()).isEqualTo(Duration.ofDays(1).minusMinutes(3).toSeconds());
    });
    assertThat(redis.exists(RedisKeys.verification(fourth.verificationId()))).isFalse();
    assertThat(pushed).hasSize(3);

    // What the verifier does when a verification of the account is approved.
    redis.del(RedisKeys.pushUnanswered(tenant, AccountRegistryReader.accountMac(MAC, tenant, account)));
    created(issuer.handle(push(account, "approve", false, null)));
    assertThat(pushed).hasSize(4);
  }

  @Test
  void oneDeadDeviceDoesNotFailTheVerificationOnlyAllDevicesFailingDoes() throws Exception {
    String account = "mixed-" + UUID.randomUUID();
    String dead = device(account, "apns");
    String live = device(account, "fcm");
    VerificationView v = created(issuer.handle(push(account, "approve", false, null)));

    issuer.applyDelivery(report(v.id(), dead, "apns", "failed", "device-unregistered"));
    assertThat(status(v.id()).delivery()).as("the other device is still on its way").isEqualTo("queued");
    issuer.applyDelivery(report(v.id(), live, "fcm", "sent", null));
    issuer.applyDelivery(report(v.id(), live, "fcm", "sent", null)); // a report published again after a redelivery
    VerificationView shown = status(v.id());
    assertThat(shown.delivery()).isEqualTo("sent");
    assertThat(shown.devices()).containsExactlyInAnyOrder(
        new VerificationView.DeviceDelivery(dead, "failed", "device-unregistered"),
        new VerificationView.DeviceDelivery(live, "sent", null));
    issuer.applyDelivery(report(v.id(), live, "fcm", "failed", "decided-before-send"));
    assertThat(status(v.id()).devices()).as("a device that got it got it").contains(
        new VerificationView.DeviceDelivery(live, "sent", null));
    issuer.applyDelivery(report(v.id(), "DV" + "0".repeat(32), "fcm", "failed", null));
    assertThat(status(v.id()).devices()).as("not a device of the verification").hasSize(2);

    VerificationView both = created(issuer.handle(push(account, "approve", false, null)));
    issuer.applyDelivery(report(both.id(), dead, "apns", "failed", "device-unregistered"));
    issuer.applyDelivery(report(both.id(), live, "fcm", "failed", "permanent"));
    assertThat(status(both.id()).delivery()).isEqualTo("failed");
  }

  private DeliveryReport report(String id, String device, String provider, String state, String reason) {
    return new DeliveryReport(UUID.randomUUID().toString(), clock.instant(), tenant, id, "push", provider, state,
        "sent".equals(state) ? "msg-1" : null, null, reason, device);
  }

  private VerificationView status(String id) throws Exception {
    return ((IssuerReply.Found) issuer.handle(new IssuerRequest.Status(UUID.randomUUID().toString(), clock.instant(), tenant,
        id))).verification();
  }

  @Test
  void aPushWithoutModeOrWithNumberMatchingInCodeModeIsRejected() throws Exception {
    String account = "bad-" + UUID.randomUUID();
    device(account, "apns");
    assertThat(issuer.handle(push(account, null, false, null))).isInstanceOf(IssuerReply.Rejected.class);
    assertThat(issuer.handle(push(account, "code", true, null))).isInstanceOf(IssuerReply.Rejected.class);
    assertThat(pushed).isEmpty();
  }
}
