package io.otpflow.gateway.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.RedisSettings;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.store.SessionStore;
import io.otpflow.gateway.store.SessionStore.Session;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.testing.RedisFixture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * The freshness rule on real sessions in Redis: a second factor counts for 10 minutes, a trusted
 * browser's sign-in never counts (also after the new session id of a password change), and an admin's
 * sensitive action needs a second factor the admin actually has.
 */
class RecentSecondFactorTest {
  private static final Instant T0 = Instant.parse("2026-12-01T09:00:00Z");
  private static final AccountView WITH_APP = new AccountView("~ada", List.of(new AccountView.Factor("FA1", "totp",
      "active", null, T0, T0, null, null, "SHA1", 6, 30, null, null, null, null)), List.of(), null);
  private static final AccountView NOTHING = new AccountView("~ada", List.of(), List.of(), null);
  private static UnifiedJedis redis;
  private final SessionStore sessions = new SessionStore(redis,
      new io.otpflow.common.CodeMac("recent second factor test key, 32 bytes".getBytes(StandardCharsets.UTF_8)));
  private final String tenant = "r-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void connect() {
    redis = new RedisSettings(URI.create(RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 4)
        .connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
  }

  private Session withCode(Instant at) {
    Session second = sessions.advance(sessions.create(tenant, at), "ada", Stage.SECOND_FACTOR, at);
    return sessions.advance(second, "ada", Stage.SIGNED_IN, at);
  }

  private Session trusted(Instant at) {
    Session in = sessions.advance(sessions.create(tenant, at), "ada", Stage.SIGNED_IN, at);
    return sessions.withAttribute(in, SignInFlow.VIA, SignInFlow.TRUSTED_BROWSER);
  }

  @Test
  void aCodeCountsForTenMinutes() {
    Session s = withCode(T0);
    assertThat(RecentSecondFactor.given(s, T0.plus(RecentSecondFactor.WINDOW).minusSeconds(1))).isTrue();
    assertThat(RecentSecondFactor.given(s, T0.plus(RecentSecondFactor.WINDOW))).isFalse();
    assertThat(RecentSecondFactor.mayAddFactor(s, WITH_APP, T0.plusSeconds(60))).isTrue();
    assertThat(RecentSecondFactor.allowsAdminAction(s, WITH_APP, T0.plusSeconds(60))).isTrue();
    assertThat(RecentSecondFactor.allowsAdminAction(s, WITH_APP, T0.plus(RecentSecondFactor.WINDOW))).isFalse();
  }

  @Test
  void aTrustedBrowsersSignInNeverCountsNotEvenAfterAPasswordChange() {
    Session s = trusted(T0);
    assertThat(RecentSecondFactor.mayAddFactor(s, WITH_APP, T0.plusSeconds(1))).isFalse();
    Session renewed = sessions.find(sessions.renew(s, T0.plusSeconds(30)).id(), tenant, T0.plusSeconds(31)).orElseThrow();
    assertThat(RecentSecondFactor.mayAddFactor(renewed, WITH_APP, T0.plusSeconds(31)))
        .as("the password change's new session id is no second factor").isFalse();
    assertThat(RecentSecondFactor.allowsAdminAction(renewed, WITH_APP, T0.plusSeconds(31))).isFalse();
  }

  @Test
  void anAdminWithoutASecondFactorCannotActSensitivelyButAnyoneMayAddTheirFirstFactor() {
    Session passwordOnly = sessions.advance(sessions.create(tenant, T0), "ada", Stage.SIGNED_IN, T0);
    assertThat(RecentSecondFactor.allowsAdminAction(passwordOnly, NOTHING, T0.plusSeconds(1))).isFalse();
    assertThat(RecentSecondFactor.mayAddFactor(passwordOnly, NOTHING, T0.plus(Duration.ofHours(1)))).isTrue();
  }

  @Test
  void confirmingAgainMakesATrustedBrowsersSessionFresh() {
    Session s = trusted(T0);
    // What POST /sign-in/confirm and then a right code do: back to the code step, then signed in again.
    Session again = sessions.advance(s, "ada", Stage.SECOND_FACTOR, T0.plus(Duration.ofHours(1)));
    assertThat(again.signedIn()).isFalse();
    Session fresh = sessions.advance(again, "ada", Stage.SIGNED_IN, T0.plus(Duration.ofHours(1)));
    assertThat(fresh.createdAt()).as("the session's lifetime is not extended").isEqualTo(s.createdAt());
    assertThat(RecentSecondFactor.allowsAdminAction(fresh, WITH_APP, T0.plus(Duration.ofHours(1)).plusSeconds(5))).isTrue();
  }
}
