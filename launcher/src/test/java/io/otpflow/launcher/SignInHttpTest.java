package io.otpflow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The password step of the hosted sign-in at the HTTP level, where a browser test cannot look:
 * headers, cookie attributes, CSRF, session ids, the password limit, hostile form input. The flows
 * a person sees are in the browser tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignInHttpTest {
  private static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    // This machine is the "proxy": a test may name the client with X-Forwarded-For; others send none.
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(),
        Map.of("OTPFLOW_TRUSTED_PROXIES", "127.0.0.1"));
    p.createUser("hilda", "hilda-password-1", "user");
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void pagesCarryAStrictPolicyAndTheSessionCookieIsHttpOnlyAndSameSite() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    HttpResponse<String> page = a.get("/t/acme/sign-in");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
        .doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
    assertThat(page.headers().firstValue("cache-control")).hasValue("no-store");
    assertThat(page.body()).doesNotContain("<script>", "style=\"", "<style");
    String cookie = page.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("otpflow_session="))
        .findFirst().orElseThrow();
    assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Lax").contains("Path=/t/acme");
    assertThat(cookie).as("a session cookie: gone when the browser closes").doesNotContainIgnoringCase("Max-Age")
        .doesNotContainIgnoringCase("Expires");
    assertThat(cookie).as("plain http in tests: Secure only when the public URL is https").doesNotContain("Secure");

    HttpResponse<String> css = a.get("/assets/otpflow.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("content-type").orElseThrow()).startsWith("text/css");
    assertThat(a.get("/assets/../../pom.xml").statusCode()).isIn(400, 404);
    assertThat(a.get("/t/no-such-company/sign-in").statusCode()).isEqualTo(404);
  }

  @Test
  void aFormWithoutTheSessionsTokenIsRefusedAndSignsNobodyIn() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    a.get("/t/acme/sign-in");
    HttpResponse<String> r = a.post("/t/acme/sign-in", Map.of("csrf", "forged", "username", "hilda", "password",
        "hilda-password-1"));
    assertThat(r.statusCode()).isEqualTo(403);
    HttpResponse<String> none = a.post("/t/acme/sign-in", Map.of("username", "hilda", "password", "hilda-password-1"));
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(a.get("/t/acme/").headers().firstValue("location").orElse(""))
        .as("still signed out").endsWith("/sign-in");
  }

  @Test
  void signingInGivesANewSessionIdAndTheOldOneIsWorthNothing() throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    a.get("/t/acme/sign-in");
    String before = a.session();
    HttpResponse<String> r = a.signIn("hilda", "hilda-password-1");
    assertThat(r.statusCode()).isEqualTo(303);
    String after = a.session();
    assertThat(after).isNotNull().isNotEqualTo(before);

    // The id from before sign-in is worth nothing now.
    WebAgent thief = new WebAgent(p.gatewayUrl());
    thief.cookies.getCookieStore().add(URI.create(p.gatewayUrl()), cookie(before));
    assertThat(thief.get("/t/acme/").headers().firstValue("location").orElse("")).endsWith("/sign-in");
    assertThat(a.get("/t/acme/").headers().firstValue("location").orElse("")).as("signed in").endsWith("/security");
  }

  @Test
  void anUnknownUserAndAWrongPasswordGetTheSameAnswer() throws Exception {
    HttpResponse<String> unknown = new WebAgent(p.gatewayUrl()).signIn("nobody-here", "hilda-password-1");
    HttpResponse<String> wrong = new WebAgent(p.gatewayUrl()).signIn("hilda", "not-her-password");
    assertThat(unknown.statusCode()).isEqualTo(wrong.statusCode()).isEqualTo(401);
    assertThat(withoutTokens(unknown.body()).replace("nobody-here", "X"))
        .isEqualTo(withoutTokens(wrong.body()).replace("hilda", "X"));
    assertThat(wrong.body()).contains("Wrong username or password.");
  }

  @Test
  void wrongPasswordsMakeThatUsernameWaitLongerAndLongerButNotOthers() throws Exception {
    String run = Long.toString(System.nanoTime(), 36); // the counters outlive a run, and the Redis is shared
    String gunther = "gunther-" + run;
    p.createUser(gunther, "gunther-password-1", "user");
    for (int i = 0; i < FREE_PER_PAIR; i++) {
      assertThat(new WebAgent(p.gatewayUrl()).signIn(gunther, "wrong-" + i).statusCode()).isEqualTo(401);
    }
    // Four more failures, each after the wait the one before started (1 s, 2 s, 4 s): the next wait is 8 s.
    for (int i = 0; i < 4; i++) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> new WebAgent(p.gatewayUrl()).signIn(gunther, "wrong-again").statusCode() == 401);
    }
    HttpResponse<String> paused = new WebAgent(p.gatewayUrl()).signIn(gunther, "gunther-password-1");
    assertThat(paused.statusCode()).as("even the right password waits").isEqualTo(429);
    assertThat(Long.parseLong(paused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 8L);
    assertThat(paused.body()).contains("Too many failed sign-ins").contains("seconds");
    String ghost = "ghost-" + run;
    for (int i = 0; i < FREE_PER_PAIR; i++) {
      assertThat(new WebAgent(p.gatewayUrl()).signIn(ghost, "wrong-" + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> next = null;
    for (int i = 0; i < 4 && (next == null || next.statusCode() != 429); i++) {
      next = new WebAgent(p.gatewayUrl()).signIn(ghost, "x");
    }
    assertThat(next.statusCode()).as("unknown names are limited alike").isEqualTo(429);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("hilda", "hilda-password-1").statusCode()).isEqualTo(303);
  }

  @Test
  void changingThePasswordNeedsTheCurrentOneAndSignsOutOtherSessions() throws Exception {
    p.createUser("petra", "petra-password-1", "user");
    WebAgent laptop = new WebAgent(p.gatewayUrl());
    assertThat(laptop.signIn("petra", "petra-password-1").statusCode()).isEqualTo(303);
    WebAgent phone = new WebAgent(p.gatewayUrl());
    assertThat(phone.signIn("petra", "petra-password-1").statusCode()).isEqualTo(303);

    assertThat(laptop.get("/t/acme/security/password").statusCode()).isEqualTo(200);
    HttpResponse<String> wrong = laptop.post("/t/acme/security/password",
        Map.of("csrf", laptop.csrf, "current", "not-the-password", "new", "petra-password-2", "again", "petra-password-2"));
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("Your current password is not right.");
    HttpResponse<String> mismatch = laptop.post("/t/acme/security/password",
        Map.of("csrf", laptop.csrf, "current", "petra-password-1", "new", "petra-password-2", "again", "petra-password-3"));
    assertThat(mismatch.statusCode()).isEqualTo(400);
    HttpResponse<String> tooShort = laptop.post("/t/acme/security/password",
        Map.of("csrf", laptop.csrf, "current", "petra-password-1", "new", "short", "again", "short"));
    assertThat(tooShort.statusCode()).isEqualTo(400);

    String before = laptop.session();
    HttpResponse<String> changed = laptop.post("/t/acme/security/password",
        Map.of("csrf", laptop.csrf, "current", "petra-password-1", "new", "petra-password-2", "again", "petra-password-2"));
    assertThat(changed.statusCode()).isEqualTo(303);
    assertThat(laptop.session()).as("a new session id").isNotEqualTo(before);
    assertThat(laptop.get("/t/acme/").headers().firstValue("location").orElse("")).endsWith("/security");
    assertThat(phone.get("/t/acme/").headers().firstValue("location").orElse("")).as("the other session ended")
        .endsWith("/sign-in");
    assertThat(new WebAgent(p.gatewayUrl()).signIn("petra", "petra-password-1").statusCode()).isEqualTo(401);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("petra", "petra-password-2").statusCode()).isEqualTo(303);
  }

  @Test
  void anAdminSetsANewPasswordForSomeoneWhoLostTheirsAndTheyAreSignedOutEverywhere() throws Exception {
    p.setPolicy("opt-in", 3); // other classes on this platform's Redis may have left acme forced
    p.createUser("helpdesk-hal", "helpdesk-password-1", "admin");
    p.createUser("lost-lou", "lost-lou-password-1", "user");
    WebAgent lou = new WebAgent(p.gatewayUrl());
    assertThat(lou.signIn("lost-lou", "lost-lou-password-1").statusCode()).isEqualTo(303);

    WebAgent hal = new WebAgent(p.gatewayUrl());
    assertThat(hal.signIn("helpdesk-hal", "helpdesk-password-1").statusCode()).isEqualTo(303);
    assertThat(hal.get("/t/acme/admin/people/person?u=lost-lou").body()).contains("Set password");
    HttpResponse<String> without2fa = hal.post("/t/acme/admin/people/password",
        Map.of("csrf", hal.csrf, "u", "lost-lou", "password", "handed-over-by-phone"));
    assertThat(without2fa.statusCode()).as("an admin without a second factor sets no one's password").isEqualTo(403);
    assertThat(without2fa.body()).contains("Set up two-step verification");
    // With an app, signed in with its code just now: a second factor within the last 10 minutes.
    AuthenticatorApp.Key key = p.confirmHostedApp("helpdesk-hal");
    hal = new WebAgent(p.gatewayUrl());
    hal.signIn("helpdesk-hal", "helpdesk-password-1");
    hal.get("/t/acme/sign-in/verify");
    assertThat(hal.submit("/t/acme/sign-in/verify", Map.of("action", "code", "code",
        AuthenticatorApp.codeAtStep(key, p.nextTotpStep()))).headers().firstValue("location")).hasValue("/t/acme/security");
    hal.get("/t/acme/admin/people/person?u=lost-lou");
    HttpResponse<String> tooShort = hal.post("/t/acme/admin/people/password",
        Map.of("csrf", hal.csrf, "u", "lost-lou", "password", "short"));
    assertThat(tooShort.statusCode()).isEqualTo(303);
    assertThat(hal.get("/t/acme/admin/people/person?u=lost-lou").body()).contains("Nothing was changed.");
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-lou", "lost-lou-password-1").statusCode()).isEqualTo(303);

    HttpResponse<String> set = hal.post("/t/acme/admin/people/password",
        Map.of("csrf", hal.csrf, "u", "lost-lou", "password", "handed-over-by-phone"));
    assertThat(set.statusCode()).isEqualTo(303);
    assertThat(hal.get("/t/acme/admin/people/person?u=lost-lou").body()).contains("The new password is set.");
    assertThat(lou.get("/t/acme/").headers().firstValue("location").orElse("")).as("signed out everywhere")
        .endsWith("/sign-in");
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-lou", "lost-lou-password-1").statusCode()).isEqualTo(401);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-lou", "handed-over-by-phone").statusCode()).isEqualTo(303);
    assertThat(hal.get("/t/acme/admin/people/person?u=helpdesk-hal").body()).as("not for the admin's own password")
        .doesNotContain("Set password");

    // The same through the admin API.
    assertThat(p.post("/v1/users/lost-lou/password", TestPlatform.ACME_ADMIN_KEY, "{\"password\": \"api-set-password\"}")
        .status()).isEqualTo(204);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("lost-lou", "api-set-password").statusCode()).isEqualTo(303);
    assertThat(p.post("/v1/users/lost-lou/password", TestPlatform.ACME_ADMIN_KEY, "{\"password\": \"short\"}")
        .status()).isEqualTo(400);
    assertThat(p.post("/v1/users/nobody-at-all/password", TestPlatform.ACME_ADMIN_KEY, "{\"password\": \"long-enough-1\"}")
        .status()).isEqualTo(404);
    assertThat(p.post("/v1/users/lost-lou/password", TestPlatform.ACME_KEY, "{\"password\": \"long-enough-1\"}")
        .status()).as("the application key manages no people").isEqualTo(403);
  }

  @Test
  void hostileFormInputGetsAClearAnswerAndChangesNothing() throws Exception {
    String script = "<script>alert(1)</script>\"'";
    HttpResponse<String> r = new WebAgent(p.gatewayUrl()).signIn(script, "x");
    assertThat(r.statusCode()).isEqualTo(401);
    // The typed name comes back in the value attribute, escaped as an attribute needs (jte: < & " ' become entities).
    assertThat(r.body()).doesNotContain("<script>alert").contains("value=\"&lt;script>alert(1)&lt;/script>&#34;&#39;\"");
    assertThat(new WebAgent(p.gatewayUrl()).signIn("a".repeat(100_000), "b".repeat(100_000)).statusCode()).isIn(401, 413);
    assertThat(new WebAgent(p.gatewayUrl()).signIn("hilda\u0000", "hilda-password-1").statusCode()).isEqualTo(401);
    WebAgent a = new WebAgent(p.gatewayUrl());
    a.get("/t/acme/sign-in");
    HttpResponse<String> json = a.http.send(HttpRequest.newBuilder(URI.create(p.gatewayUrl() + "/t/acme/sign-in"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"username\":1}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(json.statusCode()).as("not a form: no CSRF token").isEqualTo(403);
  }

  @Test
  void wrongPasswordsHoldBackOnlyThatAddressAndUsernameAndAnIpv6NetworkIsOneAddress() throws Exception {
    // A /64 and names of their own each run: the counters outlive a run, and the Redis is shared.
    java.util.Random random = new java.util.Random();
    String net = String.format("2001:db8:%x:%x::", random.nextInt(0x10000), random.nextInt(0x10000));
    String victim = "guessed-" + Integer.toHexString(random.nextInt());
    for (int i = 1; i <= FREE_PER_PAIR; i++) {
      assertThat(signInFrom(net + Integer.toHexString(i), victim, "Summer2026!").statusCode()).isEqualTo(401);
    }
    // Then each failure makes the next try wait twice as long (1 s, 2 s, 4 s …): however slow this machine
    // is between two requests, a try soon lands inside a wait, while the old per-username limit (10) is not reached.
    HttpResponse<String> next = null;
    for (int i = 0; i < 4 && (next == null || next.statusCode() != 429); i++) {
      next = signInFrom(net + "be" + i, victim, "Summer2026!");
    }
    assertThat(next.statusCode()).as("other addresses of the same /64 are the same client").isEqualTo(429);
    assertThat(next.headers().firstValue("retry-after")).isPresent();
    assertThat(signInFrom(net + "beef", "someone-else-" + Integer.toHexString(random.nextInt()), "Summer2026!")
        .statusCode()).as("the same address still tries other usernames").isEqualTo(401);
    assertThat(signInFrom("2001:db8:ffff:ffff::1", victim, "Summer2026!").statusCode())
        .as("another network is not held back").isEqualTo(401);
  }

  @Test
  void manyWrongPasswordsFromOneAddressDoNotBlockEveryoneBehindIt() throws Exception {
    // Everyone behind a reverse proxy that is not trusted shares its address.
    String proxy = "10.99." + new java.util.Random().nextInt(250) + "." + (1 + new java.util.Random().nextInt(250));
    String run = Long.toString(System.nanoTime(), 36);
    for (int i = 0; i < 55; i++) { // past the 50 per address that used to answer 429 to everyone
      assertThat(signInFrom(proxy, "nobody-" + run + "-" + i, "Summer2026!").statusCode()).isEqualTo(401);
    }
    p.createUser("behind-" + run, "behind-password-1", "user");
    assertThat(signInFrom(proxy, "behind-" + run, "behind-password-1").statusCode()).isEqualTo(303);
  }

  @Test
  void wrongPasswordsSentAtOnceCannotSlipUnderTheLimit() throws Exception {
    String address = "198.51.100." + (1 + new java.util.Random().nextInt(250));
    String victim = "rushed-" + Long.toString(System.nanoTime(), 36);
    List<CompletableFuture<Integer>> tries = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      tries.add(CompletableFuture.supplyAsync(() -> {
        try {
          return signInFrom(address, victim, "Summer2026!").statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
    }
    List<Integer> statuses = tries.stream().map(CompletableFuture::join).toList();
    assertThat(statuses).as("passwords really checked: the free failures and the one that starts the wait")
        .filteredOn(s -> s == 401).hasSizeLessThanOrEqualTo(FREE_PER_PAIR + 1);
    assertThat(statuses).allMatch(s -> s == 401 || s == 429 || s == 503, "wrong, waiting, or busy");
  }

  @Test
  void theGatewaysMetricsAreNotOnItsPublicPort() {
    assertThat(p.getUrl(p.gatewayUrl() + "/metrics", null).status()).as("the public port").isEqualTo(404);
    TestPlatform.Reply metrics = p.getUrl(p.gatewayMetricsUrl(), null);
    assertThat(metrics.status()).as("the management port").isEqualTo(200);
    assertThat(metrics.raw().body()).contains("otp_http_requests_total");
    assertThat(p.getUrl(p.gatewayUrl() + "/health/ready", null).status()).as("health checks stay on both").isEqualTo(200);
  }

  /** Failed passwords one address may send for one username before each try waits (Attempts.FREE_PER_PAIR). */
  private static final int FREE_PER_PAIR = 5;

  private static HttpResponse<String> signInFrom(String address, String username, String password) throws Exception {
    WebAgent a = new WebAgent(p.gatewayUrl());
    a.get("/t/acme/sign-in");
    String body = "csrf=" + URLEncoder.encode(a.csrf, StandardCharsets.UTF_8) + "&username=" + username + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return a.http.send(HttpRequest.newBuilder(URI.create(p.gatewayUrl() + "/t/acme/sign-in")).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/x-www-form-urlencoded").header("x-forwarded-for", address)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpCookie cookie(String value) {
    HttpCookie c = new HttpCookie("otpflow_session", value);
    c.setPath("/t/acme");
    c.setVersion(0);
    return c;
  }

  private static String withoutTokens(String html) {
    return WebAgent.CSRF.matcher(html).replaceAll("");
  }
}
