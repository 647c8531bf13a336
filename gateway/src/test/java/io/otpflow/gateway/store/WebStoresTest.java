package io.otpflow.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.otpflow.common.PasswordHash;
import io.otpflow.common.RedisSettings;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** The hosted pages' own state on a real Redis: people, sessions, attempts, policy, activity. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebStoresTest {
  private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  /** Cheap Argon2id parameters: these tests are about the stores, not the hash's cost. */
  private static final PasswordHash FAST = new PasswordHash(64, 1, 1);
  private static final io.otpflow.common.CodeMac MAC =
      new io.otpflow.common.CodeMac("web stores test key, thirty-two bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  static UnifiedJedis redis;
  private String tenant;

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
  void freshTenant() {
    tenant = "w-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void passwordHashesBeyondTheGatewaysSlotsAreRefusedInsteadOfQueueing() throws Exception {
    UserStore users = new UserStore(redis, FAST);
    assertThat(users.create(tenant, "bea", "Bea", "correct horse battery", UserStore.Role.USER, false, T0)).isPresent();
    users.slots.acquire(UserStore.HASHES_AT_ONCE); // every slot busy with other sign-ins
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> users.authenticate(tenant, "bea", "correct horse battery")).isInstanceOf(UserStore.Busy.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a bounded wait").isLessThan(Duration.ofSeconds(3));
      assertThatThrownBy(() -> users.create(tenant, "cid", "Cid", "another good password", UserStore.Role.USER, false, T0))
          .isInstanceOf(UserStore.Busy.class);
      assertThat(redis.sismember(UserStore.index(tenant), "cid")).as("nothing half-written: the name is not taken").isFalse();
      assertThatThrownBy(() -> users.setPassword(tenant, "bea", "a new password here")).isInstanceOf(UserStore.Busy.class);
    } finally {
      users.slots.release(UserStore.HASHES_AT_ONCE);
    }
    assertThat(users.authenticate(tenant, "bea", "correct horse battery")).as("the old password still works").isPresent();
    assertThat(users.slots.availablePermits()).isEqualTo(UserStore.HASHES_AT_ONCE);
  }

  @Test
  void aUserSignsInWithTheirPasswordOnlyAndNotWhenDisabledOrExternal() {
    UserStore users = new UserStore(redis, FAST);
    assertThat(users.create(tenant, "ada", "Ada", "correct horse battery", UserStore.Role.ADMIN, false, T0)).isPresent();
    assertThat(users.create(tenant, "ada", "Other Ada", "another password", UserStore.Role.USER, false, T0))
        .as("a taken username is refused, the first user is unchanged").isEmpty();
    assertThat(users.find(tenant, "ada").orElseThrow().displayName()).isEqualTo("Ada");
    assertThat(users.find(tenant, "ada").orElseThrow().passwordHash()).startsWith("$argon2id$").doesNotContain("horse");

    assertThat(users.authenticate(tenant, "ada", "correct horse battery")).isPresent();
    assertThat(users.authenticate(tenant, "ada", "correct horse batterY")).isEmpty();
    assertThat(users.authenticate(tenant, "nobody", "correct horse battery")).isEmpty();
    assertThat(users.authenticate("other-" + tenant, "ada", "correct horse battery")).as("tenants are apart").isEmpty();

    users.setDisabled(tenant, "ada", true);
    assertThat(users.authenticate(tenant, "ada", "correct horse battery")).isEmpty();

    users.create(tenant, "sso", "SSO person", null, UserStore.Role.USER, true, T0);
    assertThat(users.find(tenant, "sso").orElseThrow().external()).isTrue();
    assertThat(users.authenticate(tenant, "sso", "")).as("an external user has no password here").isEmpty();
    assertThat(users.list(tenant)).extracting(UserStore.User::username).containsExactly("ada", "sso");
  }

  @Test
  void peopleHaveAccountsInTheReservedNamespaceAndPeopleFromBeforeMoveThereOnceTheirsIsEmpty() {
    UserStore users = new UserStore(redis, FAST);
    users.create(tenant, "new-nia", "Nia", "correct horse battery", UserStore.Role.ADMIN, false, T0);
    assertThat(users.find(tenant, "new-nia").orElseThrow().account()).isEqualTo("~new-nia");
    assertThat(HostedAccounts.isHosted(redis, tenant, "~new-nia")).isTrue();
    assertThat(HostedAccounts.isHosted(redis, tenant, "new-nia")).as("the plain id is the application's").isFalse();

    // A person stored before the namespace: no account field, factors under the plain username.
    users.create(tenant, "old-olga", "Olga", "correct horse battery", UserStore.Role.ADMIN, false, T0);
    redis.hdel(UserStore.key(tenant, "old-olga"), UserStore.ACCOUNT);
    UserStore.User olga = users.find(tenant, "old-olga").orElseThrow();
    assertThat(olga.account()).isEqualTo("old-olga");
    assertThat(HostedAccounts.isHosted(redis, tenant, "old-olga")).as("protected until they move").isTrue();
    assertThat(HostedAccounts.isHosted(redis, tenant, "nobody")).isFalse();
    assertThat(HostedAccounts.isHosted(redis, "other-" + tenant, "old-olga")).as("tenants are apart").isFalse();

    io.otpflow.common.events.AccountView withApp = new io.otpflow.common.events.AccountView("old-olga",
        java.util.List.of(new io.otpflow.common.events.AccountView.Factor("FA1", "totp", "active", null, T0, T0, null, null,
            "SHA1", 6, 30, null, null, null, null)), java.util.List.of(), null);
    assertThat(users.moveToReservedAccount(olga, withApp)).as("factors sealed under the old name stay").isSameAs(olga);
    io.otpflow.common.events.AccountView codesOnly = new io.otpflow.common.events.AccountView("old-olga",
        java.util.List.of(), java.util.List.of(), new io.otpflow.common.events.AccountView.RecoveryCodes(3, T0, null));
    assertThat(users.moveToReservedAccount(olga, codesOnly).account()).isEqualTo("old-olga");

    io.otpflow.common.events.AccountView empty = new io.otpflow.common.events.AccountView("old-olga",
        java.util.List.of(), java.util.List.of(), new io.otpflow.common.events.AccountView.RecoveryCodes(0, null, null));
    assertThat(users.moveToReservedAccount(olga, empty).account()).isEqualTo("~old-olga");
    assertThat(users.find(tenant, "old-olga").orElseThrow().account()).isEqualTo("~old-olga");
    assertThat(HostedAccounts.isHosted(redis, tenant, "old-olga")).as("moved: the plain id is free").isFalse();
    UserStore.User moved = users.find(tenant, "old-olga").orElseThrow();
    assertThat(users.moveToReservedAccount(moved, empty)).as("only once").isSameAs(moved);
  }

  @Test
  void eachStageOfASessionHasANewIdAndTheOldOneIsDead() {
    SessionStore sessions = new SessionStore(redis, MAC);
    SessionStore.Session anonymous = sessions.create(tenant, T0);
    SessionStore.Session second = sessions.advance(anonymous, "ada", Stage.SECOND_FACTOR, T0.plusSeconds(5));
    SessionStore.Session in = sessions.advance(second, "ada", Stage.SIGNED_IN, T0.plusSeconds(20));

    assertThat(sessions.find(anonymous.id(), tenant, T0.plusSeconds(21)).orElseThrow().stage()).isEqualTo(Stage.ANONYMOUS);
    assertThat(sessions.find(second.id(), tenant, T0.plusSeconds(21)).orElseThrow().stage())
        .as("the id before the second factor is only an anonymous visitor now").isEqualTo(Stage.ANONYMOUS);
    SessionStore.Session found = sessions.find(in.id(), tenant, T0.plusSeconds(21)).orElseThrow();
    assertThat(found.stage()).isEqualTo(Stage.SIGNED_IN);
    assertThat(found.username()).isEqualTo("ada");
    assertThat(found.authenticatedAt()).isEqualTo(T0.plusSeconds(20));
    assertThat(found.csrf()).isNotEqualTo(anonymous.csrf()).isNotEqualTo(second.csrf());
    assertThat(redis.exists("otp:web:session:" + in.id())).as("Redis keeps only the id's hash").isFalse();

    assertThat(sessions.find(in.id(), "other-" + tenant, T0.plusSeconds(21)).orElseThrow().stage())
        .as("another tenant's pages do not see it").isEqualTo(Stage.ANONYMOUS);
    SessionStore.Session late = sessions.find(in.id(), tenant, T0.plusSeconds(5).plus(SessionStore.ABSOLUTE)).orElseThrow();
    assertThat(late.stage()).as("absolute lifetime").isEqualTo(Stage.ANONYMOUS);
    assertThat(late.id()).isNotEqualTo(in.id());
    assertThat(sessions.find("not a session id", tenant, T0)).isEmpty();
    assertThat(anonymous.csrf()).as("an anonymous visitor's token is derived, the same on every instance")
        .isEqualTo(sessions.find(anonymous.id(), tenant, T0).orElseThrow().csrf());
    assertThat(redis.exists(SessionStore.key(anonymous.id()))).as("anonymous visitors cost Redis nothing").isFalse();
  }

  @Test
  void aNewSessionIdAfterAPasswordChangeKeepsHowTheSecondFactorWasSkipped() {
    SessionStore sessions = new SessionStore(redis, MAC);
    // Password and a trusted browser's cookie, no code: signed in, but no second factor was given.
    SessionStore.Session in = sessions.advance(sessions.create(tenant, T0), "ada", Stage.SIGNED_IN, T0);
    // The values the pages set (SignInFlow.TRUSTED_BROWSER, SignInFlow.NOTICE); the store knows only VIA.
    in = sessions.withAttribute(in, SessionStore.VIA, "trusted-browser");
    in = sessions.withAttribute(in, "notice", "grace");
    SessionStore.Session renewed = sessions.renew(in, T0.plusSeconds(30));
    SessionStore.Session found = sessions.find(renewed.id(), tenant, T0.plusSeconds(31)).orElseThrow();
    assertThat(found.id()).isNotEqualTo(in.id());
    assertThat(found.attribute(SessionStore.VIA)).as("a new id is not a new way of signing in")
        .isEqualTo("trusted-browser");
    assertThat(found.attribute("notice")).as("other attributes start clean").isNull();
    assertThat(found.authenticatedAt()).isEqualTo(T0);
  }

  @Test
  void endingAllOfAPersonsSessionsLeavesOthersAlone() {
    SessionStore sessions = new SessionStore(redis, MAC);
    SessionStore.Session ada1 = sessions.advance(sessions.create(tenant, T0), "ada", Stage.SIGNED_IN, T0);
    SessionStore.Session ada2 = sessions.advance(sessions.create(tenant, T0), "ada", Stage.SIGNED_IN, T0);
    SessionStore.Session bob = sessions.advance(sessions.create(tenant, T0), "bob", Stage.SIGNED_IN, T0);
    sessions.deleteAllOf(tenant, "ada");
    assertThat(sessions.find(ada1.id(), tenant, T0).orElseThrow().signedIn()).isFalse();
    assertThat(sessions.find(ada2.id(), tenant, T0).orElseThrow().signedIn()).isFalse();
    assertThat(sessions.find(bob.id(), tenant, T0).orElseThrow().signedIn()).isTrue();
  }

  @Test
  void thePolicyDefaultsToOptInAndForcedAppliesToEveryoneButExternalUsers() {
    PolicyStore policies = new PolicyStore(redis);
    assertThat(policies.get(tenant)).isEqualTo(PolicyStore.Policy.DEFAULT);
    policies.set(tenant, new PolicyStore.Policy(PolicyStore.Mode.FORCED, 2));
    PolicyStore.Policy forced = policies.get(tenant);
    assertThat(forced).isEqualTo(new PolicyStore.Policy(PolicyStore.Mode.FORCED, 2));
    UserStore.User person = new UserStore.User(tenant, "a", "A", "", UserStore.Role.USER, false, false, false, 0, T0, null);
    UserStore.User external = new UserStore.User(tenant, "b", "B", "", UserStore.Role.USER, true, false, false, 0, T0, null);
    UserStore.User required = new UserStore.User(tenant, "c", "C", "", UserStore.Role.USER, false, false, true, 0, T0, null);
    assertThat(forced.requires(person)).isTrue();
    assertThat(forced.requires(external)).isFalse();
    assertThat(PolicyStore.Policy.DEFAULT.requires(person)).isFalse();
    assertThat(PolicyStore.Policy.DEFAULT.requires(required)).as("an admin can require it of one person").isTrue();
  }

  @Test
  void adminActionsAreAuditedAndShownToThePersonUntilSeen() {
    ActivityLog log = new ActivityLog(redis);
    log.record(tenant, "ada", new ActivityLog.Entry(T0, "sign-in", "ada", "Signed in.", "192.0.2.1"));
    log.recordAdminAction(tenant, "ada", new ActivityLog.Entry(T0.plusSeconds(60), "factor-removed", "admin:root",
        "Removed the device Pixel: lost phone.", null));
    assertThat(log.recent(tenant, "ada", 10)).extracting(ActivityLog.Entry::kind).containsExactly("factor-removed", "sign-in");
    assertThat(log.unseenAdminActions(tenant, "ada")).hasSize(1);
    assertThat(log.audit(tenant, 10)).singleElement().extracting(ActivityLog.Entry::detail)
        .isEqualTo("ada: Removed the device Pixel: lost phone.");
    log.markSeen(tenant, "ada", T0.plusSeconds(61));
    assertThat(log.unseenAdminActions(tenant, "ada")).isEmpty();
    for (int i = 0; i < ActivityLog.KEEP + 5; i++) {
      log.record(tenant, "ada", new ActivityLog.Entry(T0.plusSeconds(100 + i), "sign-in", "ada", "Signed in.", null));
    }
    assertThat(log.recent(tenant, "ada", 1000)).hasSize(ActivityLog.KEEP);
  }
}
