package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_ADMIN_KEY;
import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonObject;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Tag;
import redis.clients.jedis.RedisClient;

/**
 * The second factor and the security page at the HTTP level, where a browser test cannot look: the
 * browser's word (a poll, a submitted form, a cookie) never signs anyone in, stages cannot be
 * skipped, and the authenticator-app key is served once, no-store.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tag(OptionalTools.TAG)
class SecondFactorHttpTest {
  private static final String PASSWORD = "second-factor-password";
  private static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri());
    p.createUser("hugo", PASSWORD, "user");
    p.createUser("ines", PASSWORD, "user");
    confirmApp("hugo");
  }

  private static AuthenticatorApp.Key confirmApp(String username) throws Exception {
    return p.confirmHostedApp(username);
  }

  private static long nextStep() {
    return p.nextTotpStep();
  }

  /** What closing the browser does: the session cookie goes, the 30-day trust cookie stays. */
  private static void closeBrowser(WebAgent a) {
    a.cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("otpflow_session")).toList()
        .forEach(c -> a.cookies.getCookieStore().remove(null, c));
    assertThat(a.cookies.getCookieStore().getCookies()).extracting(HttpCookie::getName).contains("otpflow_trust");
  }

  /** Moves the time of the agent's last full sign-in back, as if it signed in {@code minutes} ago. */
  private static void signedInMinutesAgo(WebAgent a, int minutes) {
    String session = a.cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("otpflow_session"))
        .map(HttpCookie::getValue).findFirst().orElseThrow();
    try (redis.clients.jedis.UnifiedJedis redis = new io.otpflow.common.RedisSettings(URI.create(
        io.otpflow.testing.RedisFixture.shared().uri()), Duration.ofSeconds(2), Duration.ofSeconds(5), 2).connect()) {
      String key = "otp:web:session:" + io.otpflow.common.TenantDirectory.sha256(session);
      assertThat(redis.hget(key, "authenticated_at")).isNotNull();
      redis.hset(key, "authenticated_at", Instant.now().minus(Duration.ofMinutes(minutes)).toString());
    }
  }

  private static void requireTwoFactor(String username) {
    assertThat(p.post("/v1/users/" + username + "/require-2fa", ACME_ADMIN_KEY, "{\"required\": true}").status())
        .isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void theBrowsersWordSignsNobodyIn() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    assertThat(a.signIn("hugo", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/sign-in/verify");
    a.get("/t/acme/sign-in/verify");
    assertThat(new JsonObject(a.get("/t/acme/sign-in/push-status").body()).getString("status"))
        .as("no push was sent").isEqualTo("gone");
    HttpResponse<String> done = a.submit("/t/acme/sign-in/verify", Map.of("action", "push-done"));
    assertThat(done.statusCode()).as("a push that was never approved").isEqualTo(410);
    HttpResponse<String> noCode = a.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", "not-a-code"));
    assertThat(noCode.statusCode()).isEqualTo(422);
    assertThat(a.location("/t/acme/security")).as("still not signed in").endsWith("/sign-in/verify");
  }

  @Test
  void aForgedTrustCookieTrustsNothing() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    HttpCookie forged = new HttpCookie("otpflow_trust", "A".repeat(43));
    forged.setPath("/t/acme");
    forged.setVersion(0);
    a.cookies.getCookieStore().add(URI.create(p.gatewayUrl()), forged);
    assertThat(a.signIn("hugo", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/sign-in/verify");
  }

  @Test
  void stagesCannotBeSkipped() throws Exception {
    WebAgent anonymous = new WebAgent(p.gatewayUrl());
    anonymous.get("/t/acme/sign-in");
    assertThat(anonymous.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", "123456"))
        .headers().firstValue("location")).hasValue("/t/acme/sign-in");
    assertThat(anonymous.location("/t/acme/security/setup")).endsWith("/sign-in");
    assertThat(anonymous.location("/t/acme/security/off")).endsWith("/sign-in");

    WebAgent verifying = new WebAgent(p.gatewayUrl());
    verifying.signIn("hugo", PASSWORD);
    verifying.get("/t/acme/sign-in/verify"); // the new session's form token
    assertThat(verifying.location("/t/acme/security/recovery-codes")).endsWith("/sign-in/verify");
    assertThat(verifying.submit("/t/acme/security/app", Map.of("action", "start")).headers().firstValue("location"))
        .hasValue("/t/acme/sign-in/verify");
  }

  @Test
  void theAppsKeyIsShownOnceAndNotStored() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    assertThat(a.signIn("ines", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/security");
    a.get("/t/acme/security");
    HttpResponse<String> start = a.submit("/t/acme/security/app", Map.of("action", "start"));
    assertThat(start.statusCode()).isEqualTo(200);
    assertThat(start.headers().firstValue("cache-control")).hasValue("no-store");
    Matcher secret = Pattern.compile("data-copy=\"([A-Z2-7]{16,})\"").matcher(start.body());
    assertThat(secret.find()).isTrue();
    assertThat(start.body()).contains("src=\"data:image/png;base64,");
    assertThat(a.get("/t/acme/security").body()).doesNotContain(secret.group(1));
    // A reload starts a new enrolment and drops the old one, so pending ones do not pile up.
    a.submit("/t/acme/security/app", Map.of("action", "start"));
    JsonObject account = p.get("/v1/accounts/~ines", ACME_ADMIN_KEY).body();
    assertThat(account.getJsonArray("factors")).hasSize(1);
  }

  @Test
  void aSetupSessionCannotSignInPastAFactorTheAccountGotMeanwhile() throws Exception {
    p.createUser("setup-sam", PASSWORD, "user");
    requireTwoFactor("setup-sam");
    p.setPolicy("opt-in", 0);
    try {
      WebAgent attacker = new WebAgent(p.gatewayUrl()); // has the password, not the person's phone
      assertThat(attacker.signIn("setup-sam", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/security/setup");
      attacker.get("/t/acme/security/setup");
      confirmApp("setup-sam"); // meanwhile the person sets up their app elsewhere
      HttpResponse<String> start = attacker.submit("/t/acme/security/setup", Map.of("action", "app"));
      assertThat(start.statusCode()).as("no enrolment of the attacker's own app").isEqualTo(303);
      assertThat(start.headers().firstValue("location")).hasValue("/t/acme/sign-in/verify");
      attacker.get("/t/acme/sign-in/verify");
      assertThat(attacker.location("/t/acme/security")).as("not signed in").endsWith("/sign-in/verify");
      assertThat(attacker.location("/t/acme/security/setup")).endsWith("/sign-in");
      assertThat(p.get("/v1/accounts/~setup-sam", ACME_ADMIN_KEY).body().getJsonArray("factors")).hasSize(1);
    } finally {
      p.setPolicy("opt-in", 3);
    }
  }

  @Test
  void aPasswordChangeOrBeingDisabledForgetsTrustedBrowsers() throws Exception {
    p.createUser("trusty-tom", PASSWORD, "user");
    AuthenticatorApp.Key key = confirmApp("trusty-tom");
    WebAgent laptop = new WebAgent(p.gatewayUrl());
    assertThat(laptop.signIn("trusty-tom", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/sign-in/verify");
    laptop.get("/t/acme/sign-in/verify");
    assertThat(laptop.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code",
        AuthenticatorApp.codeAtStep(key, nextStep()), "trust", "1")).headers().firstValue("location"))
        .hasValue("/t/acme/security");
    closeBrowser(laptop);
    assertThat(laptop.signIn("trusty-tom", PASSWORD).headers().firstValue("location")).as("trusted: no code")
        .hasValue("/t/acme/security");
    laptop.get("/t/acme/security");
    assertThat(laptop.submit("/t/acme/security/app", Map.of("action", "start")).statusCode())
        .as("a sign-in without a code is not fresh enough to add a way to sign in").isEqualTo(403);

    // Another browser changes the password: the laptop's trust goes with its session.
    WebAgent phone = new WebAgent(p.gatewayUrl());
    phone.signIn("trusty-tom", PASSWORD);
    phone.get("/t/acme/sign-in/verify");
    phone.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, nextStep())));
    phone.get("/t/acme/security/password");
    String next = "trusty-tom-password-2";
    assertThat(phone.submit("/t/acme/security/password", Map.of("current", PASSWORD, "new", next, "again", next))
        .statusCode()).isEqualTo(303);
    closeBrowser(laptop);
    laptop.get("/t/acme/sign-in");
    HttpResponse<String> again = laptop.submit("/t/acme/sign-in", Map.of("username", "trusty-tom", "password", next));
    assertThat(again.headers().firstValue("location")).as("the code is asked again").hasValue("/t/acme/sign-in/verify");

    // Trusted again, then disabled and enabled by an admin: the trust is gone too.
    laptop.get("/t/acme/sign-in/verify");
    laptop.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, nextStep()),
        "trust", "1"));
    assertThat(p.post("/v1/users/trusty-tom/disable", ACME_ADMIN_KEY, "").status()).isEqualTo(200);
    assertThat(p.post("/v1/users/trusty-tom/enable", ACME_ADMIN_KEY, "").status()).isEqualTo(200);
    closeBrowser(laptop);
    laptop.get("/t/acme/sign-in");
    assertThat(laptop.submit("/t/acme/sign-in", Map.of("username", "trusty-tom", "password", next)).headers()
        .firstValue("location")).hasValue("/t/acme/sign-in/verify");
  }

  @Test
  void aNewPasswordDoesNotMakeAnOldSignInFreshEnoughToAddAFactor() throws Exception {
    p.createUser("fresh-fay", PASSWORD, "user");
    AuthenticatorApp.Key key = confirmApp("fresh-fay");
    WebAgent a = new WebAgent(p.gatewayUrl());
    assertThat(a.signIn("fresh-fay", PASSWORD).headers().firstValue("location")).hasValue("/t/acme/sign-in/verify");
    a.get("/t/acme/sign-in/verify");
    long step = nextStep();
    assertThat(a.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, step)))
        .headers().firstValue("location")).hasValue("/t/acme/security");
    a.get("/t/acme/security");
    signedInMinutesAgo(a, 11); // past the 10 minutes a sign-in is fresh (the pages run on the real clock)
    assertThat(a.submit("/t/acme/security/app", Map.of("action", "start")).statusCode()).as("not fresh any more")
        .isEqualTo(403);
    a.get("/t/acme/security/password");
    String next = "fresh-fay-password-2";
    assertThat(a.submit("/t/acme/security/password", Map.of("current", PASSWORD, "new", next, "again", next)).statusCode())
        .isEqualTo(303);
    a.get("/t/acme/security");
    assertThat(a.submit("/t/acme/security/app", Map.of("action", "start")).statusCode())
        .as("the password alone, without a code, does not make the sign-in fresh").isEqualTo(403);
    assertThat(p.get("/v1/accounts/~fresh-fay", ACME_ADMIN_KEY).body().getJsonArray("factors")).hasSize(1);
  }

  @Test
  void graceSignInsThatComeAtOnceAreCountedEachOnce() throws Exception {
    p.createUser("grace-gil", PASSWORD, "user");
    requireTwoFactor("grace-gil");
    p.setPolicy("opt-in", 1);
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<WebAgent> agents = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        WebAgent a = new WebAgent(p.gatewayUrl());
        a.get("/t/acme/sign-in");
        agents.add(a);
      }
      List<CompletableFuture<String>> signIns = new ArrayList<>();
      for (WebAgent a : agents) {
        signIns.add(CompletableFuture.supplyAsync(() -> {
          try {
            return a.submit("/t/acme/sign-in", Map.of("username", "grace-gil", "password", PASSWORD)).headers()
                .firstValue("location").orElse("");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, pool));
      }
      List<String> where = signIns.stream().map(CompletableFuture::join).toList();
      // "" is a sign-in refused before its password was checked: every hashing slot busy (503).
      assertThat(where).as("one grace sign-in, whatever the timing").containsOnlyOnce("/t/acme/security")
          .filteredOn(w -> !w.equals("/t/acme/security") && !w.isEmpty()).containsOnly("/t/acme/security/setup");
    } finally {
      p.setPolicy("opt-in", 3);
    }
  }

  @Test
  void theApplicationKeyCannotGiveItselfAWayIntoAHostedPersonsSignIn() throws Exception {
    p.createUser("boss-mo", PASSWORD, "admin");
    // The attack of the review: the application key enrols its own app on the account named like the admin.
    TestPlatform.Reply enrolled = p.post("/v1/accounts/boss-mo/factors/totp", ACME_KEY, "{}");
    if (enrolled.status() == 201) {
      AuthenticatorApp.Key key = AuthenticatorApp.parse(enrolled.body().getString("otpauth_uri"));
      p.post("/v1/accounts/boss-mo/factors/" + enrolled.body().getString("factor_id") + "/confirm", ACME_KEY,
          new JsonObject().put("code", AuthenticatorApp.codeAtStep(key, nextStep())).encode());
    }
    assertThat(new WebAgent(p.gatewayUrl()).signIn("boss-mo", PASSWORD).headers().firstValue("location"))
        .as("the application's account boss-mo is not the hosted admin's: no code of that app is asked")
        .hasValue("/t/acme/security");
    TestPlatform.Reply reserved = p.post("/v1/accounts/~boss-mo/factors/totp", ACME_KEY, "{}");
    assertThat(reserved.status()).isEqualTo(403);
    assertThat(reserved.body().getString("code")).isEqualTo("hosted-account");
    assertThat(p.get("/v1/accounts/~boss-mo", ACME_ADMIN_KEY).status()).as("the admin key reaches it").isEqualTo(200);
    assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"totp\", \"account\": \"~boss-mo\"}").status())
        .isIn(400, 403);
  }

  @Test
  void aPersonFromBeforeTheNamespaceIsProtectedUntilTheyMoveAtASignInWithNothingOnTheirAccount() throws Exception {
    p.createUser("legacy-lu", PASSWORD, "user");
    try (RedisClient redis = RedisClient.create(RedisFixture.shared().host(), RedisFixture.shared().port())) {
      redis.hdel("otp:web:user:{t:acme}:legacy-lu", "account"); // as a person created before the namespace is stored
      assertThat(p.post("/v1/accounts/legacy-lu/factors/totp", ACME_KEY, "{}").status())
          .as("their plain username is still theirs: not the application key's").isEqualTo(403);
      assertThat(p.post("/v1/verifications", ACME_KEY, "{\"channel\": \"totp\", \"account\": \"legacy-lu\"}").status())
          .isEqualTo(403);
      assertThat(new WebAgent(p.gatewayUrl()).signIn("legacy-lu", PASSWORD).statusCode()).isEqualTo(303);
      assertThat(redis.hget("otp:web:user:{t:acme}:legacy-lu", "account")).as("moved: nothing was on their account")
          .isEqualTo("~legacy-lu");
    }
    assertThat(p.get("/v1/accounts/legacy-lu", ACME_KEY).status()).as("the plain id is the application's again")
        .isEqualTo(200);
  }

  @Test
  void anAdminsSensitiveActionsNeedTheirSecondFactorWithinTenMinutes() throws Exception {
    p.createUser("desk-dora", PASSWORD, "admin");
    p.createUser("lost-leo", PASSWORD, "user");
    AuthenticatorApp.Key key = confirmApp("desk-dora");
    WebAgent a = new WebAgent(p.gatewayUrl());
    a.signIn("desk-dora", PASSWORD);
    a.get("/t/acme/sign-in/verify");
    assertThat(a.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, nextStep()),
        "trust", "1")).headers().firstValue("location")).hasValue("/t/acme/security");
    closeBrowser(a);
    assertThat(a.signIn("desk-dora", PASSWORD).headers().firstValue("location")).as("trusted: no code")
        .hasValue("/t/acme/security");

    a.get("/t/acme/admin/people/person?u=lost-leo");
    HttpResponse<String> reset = a.submit("/t/acme/admin/people/password", Map.of("u", "lost-leo", "password",
        "handed-over-1234"));
    assertThat(reset.statusCode()).isEqualTo(403);
    assertThat(reset.body()).contains("Confirm it").contains("Nothing was changed.");
    a.get("/t/acme/admin/people");
    assertThat(a.submit("/t/acme/admin/people", Map.of("username", "second-boss", "display_name", "Second", "password",
        "second-boss-password", "role", "admin")).statusCode()).as("no new admin either").isEqualTo(403);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("second-boss", "second-boss-password").statusCode()).isEqualTo(401);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-leo", PASSWORD).statusCode()).as("password unchanged")
        .isEqualTo(303);

    // Confirming with the second factor (the trusted browser does not skip it here) makes the session fresh.
    a.get("/t/acme/security");
    assertThat(a.submit("/t/acme/sign-in/confirm", Map.of()).headers().firstValue("location"))
        .hasValue("/t/acme/sign-in/verify");
    a.get("/t/acme/sign-in/verify");
    assertThat(a.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, nextStep())))
        .headers().firstValue("location")).hasValue("/t/acme/security");
    a.get("/t/acme/admin/people/person?u=lost-leo");
    assertThat(a.submit("/t/acme/admin/people/password", Map.of("u", "lost-leo", "password", "handed-over-1234"))
        .statusCode()).isEqualTo(303);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-leo", "handed-over-1234").statusCode()).isEqualTo(303);
  }

  @Test
  void anAdminCannotRemoveTheirOwnFactorWithAReasonInsteadOfACode() throws Exception {
    p.createUser("self-ada", PASSWORD, "admin");
    AuthenticatorApp.Key key = confirmApp("self-ada");
    String factor = p.get("/v1/accounts/~self-ada", ACME_ADMIN_KEY).body().getJsonArray("factors").getJsonObject(0)
        .getString("id");
    WebAgent a = new WebAgent(p.gatewayUrl()); // the admin's browser, left signed in
    a.signIn("self-ada", PASSWORD);
    a.get("/t/acme/sign-in/verify");
    long step = nextStep();
    assertThat(a.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code", AuthenticatorApp.codeAtStep(key, step)))
        .headers().firstValue("location")).hasValue("/t/acme/security");
    HttpResponse<String> person = a.get("/t/acme/admin/people/person?u=self-ada");
    assertThat(person.statusCode()).isEqualTo(200);
    assertThat(person.body()).doesNotContain("/admin/people/remove");
    HttpResponse<String> removed = a.submit("/t/acme/admin/people/remove", Map.of("u", "self-ada", "id", factor,
        "reason", "no code needed?"));
    assertThat(removed.statusCode()).isEqualTo(403);
    assertThat(p.get("/v1/accounts/~self-ada", ACME_ADMIN_KEY).body().getJsonArray("factors")).as("still there").hasSize(1);
  }
}
