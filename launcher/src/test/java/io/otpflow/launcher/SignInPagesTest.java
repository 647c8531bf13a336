package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.otpflow.testing.FakeTwilio;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The hosted sign-in's second factor, setup and security page in a real browser, on the whole
 * platform (real Kafka and Redis): setting up the authenticator app from its QR code when the
 * company forces 2FA, signing in with the app, an SMS code, a push approved or denied on a simulated
 * phone (the dev outbox page), trusting a browser, refusing a change without a valid code, and the
 * second factor's lockout, which leaves the password alone. Every page is saved as a screenshot at
 * phone and desktop size (target/screenshots/signin-*), and no page may log a console error (CSP).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@BrowserTest
class SignInPagesTest {
  /** The outbox file's folder. */
  @TempDir static Path folder;
  private static final String PASSWORD = "correct-horse-battery";
  private static final Pattern SMS_CODE = Pattern.compile("code is (\\d+)");
  private static final AtomicInteger USERS = new AtomicInteger();
  private static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    Path outbox = folder.resolve("outbox.jsonl");
    // SMS to the fake Twilio (read back by number); pushes to the dev outbox, whose page simulates phones.
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(), Map.of(
        "PUSH_PROVIDER", "outbox", "OTPFLOW_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_OUTBOX_FILE", outbox.toString(), "OTPFLOW_DEV_DEVICES", "true"));
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
  }

  // ---------------------------------------------------------------- the tests

  @Test
  void aNewUserInAForcedCompanySetsUpTheAppFromItsQrCodeAndSignsInWithIt() throws Exception {
    p.setPolicy("forced", 0);
    try (Browser b = Browser.phone()) {
      String user = newUser();
      signIn(b, user);
      b.waitForUrl("/t/acme/security/setup");
      shots(b, "setup-choose");
      b.open(p.gatewayUrl() + "/t/acme/security");
      b.waitForUrl("/security/setup"); // only setup is reachable
      submit(b, "form input[value=app] ~ button");
      b.waitForText("h1", "Set up your authenticator app");
      shots(b, "setup-app-qr");
      String uri = AuthenticatorApp.readQrWithZxing(b.imagePng("img.qr"));
      AuthenticatorApp.Key key = AuthenticatorApp.parse(uri);
      assertThat(key.issuer()).isEqualTo("Acme");
      assertThat(key.account()).isEqualTo(user);
      assertThat(b.text(".secret").replace(" ", "")).isEqualTo(key.secret());
      b.fill("#code", AuthenticatorApp.codeAtStep(key, freshStep()));
      submit(b, "button.primary");
      b.waitForText("h1", "You're all set");
      List<String> recoveryCodes = b.texts("ol.codes li");
      assertThat(recoveryCodes).hasSize(10).allMatch(c -> c.matches("[a-z2-9]{5}-[a-z2-9]{5}"));
      shots(b, "setup-done-recovery-codes");
      submit(b, "a.button.primary");
      b.waitForUrl("/t/acme/security");
      b.waitForText(".badge.ok", "On");
      shots(b, "security-with-app");

      signOut(b);
      signIn(b, user);
      b.waitForUrl("/sign-in/verify");
      b.waitForText("main", "Open your authenticator app");
      shots(b, "verify-app");
      b.fill("#code", AuthenticatorApp.codeAtStep(key, freshStep()));
      submit(b, "button.primary");
      b.waitForUrl("/t/acme/security");
      b.waitForText("table.activity", "password and authenticator app");

      signOut(b); // and once with a recovery code, as after losing the phone
      signIn(b, user);
      submit(b, "form input[value=recovery_code] ~ button");
      b.waitForText("label[for=code]", "Recovery code");
      shots(b, "verify-recovery-code");
      b.fill("#code", recoveryCodes.get(3).toUpperCase());
      submit(b, "button.primary");
      b.waitForUrl("/t/acme/security");
      b.waitForText(".notice.warn", "You signed in with a recovery code. 9 codes are left");
      b.waitForText("main", "9 unused codes left");
      shots(b, "security-after-recovery-code");
      noConsoleErrors(b);
    } finally {
      p.setPolicy("opt-in", 3);
    }
  }

  @Test
  void aGraceSignInSaysHowManyAreLeft() {
    p.setPolicy("forced", 2);
    try (Browser b = Browser.desktop()) {
      String user = newUser();
      signIn(b, user);
      b.waitForUrl("/t/acme/security");
      assertThat(b.text(".notice.warn")).isEqualTo("Your company requires 2FA: set it up now (1 sign-in left).");
      shots(b, "security-grace");
      noConsoleErrors(b);
    } finally {
      p.setPolicy("opt-in", 3);
    }
  }

  @Test
  void signInWithAnSmsCodeAndTrustTheBrowserSoTheNextSignInSkipsTheCode() throws Exception {
    String user = newUser();
    String phone = TestPlatform.uniquePhone();
    enrolPhone(user, phone);
    p.clock.set(p.clock.instant().plusSeconds(31)); // the least interval between two texts to one number
    try (Browser b = Browser.desktop()) {
      signIn(b, user);
      b.waitForUrl("/sign-in/verify");
      b.waitForText("main", "We will text a code to +141");
      shots(b, "verify-sms-start");
      submit(b, "form input[value=sms] ~ button.primary");
      b.waitForText("main", "We texted a code to");
      shots(b, "verify-sms-code");
      b.fill("#code", smsCode(phone, 2));
      b.click("input[name=trust]");
      submit(b, "button.primary");
      b.waitForUrl("/t/acme/security");
      b.waitForText("ul.list.trusted", "This browser");
      shots(b, "security-trusted-browser");
      org.openqa.selenium.Cookie trust = b.cookie("otpflow_trust").orElseThrow();
      assertThat(trust.isHttpOnly()).isTrue();
      assertThat(trust.getSameSite()).isEqualTo("Strict");
      assertThat(trust.getPath()).isEqualTo("/t/acme");

      signOut(b);
      signIn(b, user);
      b.waitForUrl("/t/acme/security");
      b.waitForText("table.activity", "trusted browser");

      submit(b, "ul.list.trusted button");
      b.waitForText(".notice.ok", "no longer trusted");
      signOut(b);
      signIn(b, user);
      b.waitForUrl("/sign-in/verify");
      noConsoleErrors(b);
    }
  }

  @Test
  void oneSignInMayStartOnlyFiveVerifications() {
    String user = newUser();
    String phone = TestPlatform.uniquePhone();
    enrolPhone(user, phone);
    p.clock.set(p.clock.instant().plus(Duration.ofMinutes(11))); // the enrolment's text out of the number's window
    try (Browser b = Browser.desktop()) {
      signIn(b, user);
      submit(b, "form input[value=sms] ~ button.primary");
      b.waitForText("main", "We texted a code to");
      for (int sent = 2; sent <= 5; sent++) {
        p.clock.set(p.clock.instant().plusSeconds(31)); // the issuer's least interval between texts to one number
        submit(b, "form.resend button");
        b.waitForText("main", "We texted a code to");
      }
      p.clock.set(p.clock.instant().plusSeconds(31));
      submit(b, "form.resend button");
      b.waitForText(".notice.error", "too many codes for this sign-in");
      shots(b, "verify-too-many");
      assertThat(b.present("#code")).as("the last code sent may still be typed").isTrue();
      // The enrolment's text and five for the sign-in, the sixth refused.
      await().atMost(Duration.ofSeconds(20)).until(() -> p.twilio.messages().stream().filter(m -> phone.equals(m.to())).count(),
          n -> n == 6);
      noConsoleErrors(b);
    }
  }

  @Test
  void aPushApprovedOnTheSimulatedPhoneSignsIn() throws Exception {
    String user = newUser();
    try (Browser b = Browser.desktop(); Browser phone = Browser.phone()) {
      String device = addDevice(phone, user);
      signIn(b, user);
      b.waitForUrl("/sign-in/verify");
      b.waitForText("main", "We will send a notification");
      shots(b, "verify-push-start");
      submit(b, "form input[value=push] ~ button.primary");
      String number = b.waitForText("p.number", "").strip();
      assertThat(number).matches("[0-9]{2}");
      shots(b, "verify-push-waiting");
      answer(phone, device, number, "approve");
      b.waitUntil("signed in after the approval", Duration.ofSeconds(20), d -> d.getCurrentUrl().endsWith("/t/acme/security"));
      b.waitForText("table.activity", "push approved");
      noConsoleErrors(b);
    }
  }

  @Test
  void aDeniedPushIsRefused() throws Exception {
    String user = newUser();
    try (Browser b = Browser.desktop(); Browser phone = Browser.phone()) {
      String device = addDevice(phone, user);
      signIn(b, user);
      submit(b, "form input[value=push] ~ button.primary");
      String number = b.waitForText("p.number", "").strip();
      submit(b, "#push-done button"); // "I approved it" before anyone did: the server asks the platform, not the browser
      b.waitForText(".notice.error", "Not approved yet");
      assertThat(b.url()).contains("/sign-in/verify");
      answer(phone, device, number, "deny");
      b.waitUntil("the refusal", Duration.ofSeconds(20),
          d -> {
            try { // the poll's script submits the form: the old page may go while this reads it
              return d.findElements(By.cssSelector(".notice.error")).stream().anyMatch(e -> e.getText().contains("denied on your phone"));
            } catch (org.openqa.selenium.WebDriverException e) {
              return false;
            }
          });
      assertThat(b.url()).contains("/sign-in/verify");
      shots(b, "verify-push-denied");
      b.open(p.gatewayUrl() + "/t/acme/security");
      b.waitForUrl("/sign-in/verify"); // not signed in
      noConsoleErrors(b);
    }
  }

  @Test
  void turningTwoFactorOffWithoutAValidCodeIsRefusedAndTheAppStays() throws Exception {
    String user = newUser();
    AuthenticatorApp.Key key = enrolApp(user);
    try (Browser b = Browser.desktop()) {
      signIn(b, user);
      b.fill("#code", AuthenticatorApp.codeAtStep(key, freshStep()));
      b.click("input[name=trust]");
      submit(b, "button.primary");
      b.waitForUrl("/t/acme/security");
      b.waitForText("ul.list.trusted", "This browser");
      shots(b, "security");
      submit(b, "a.button.danger");
      b.waitForText("h1", "Turn off two-step verification");
      shots(b, "security-off");
      b.fill("#code", "000000");
      submit(b, "button.primary");
      b.waitForText(".notice.error", "not valid");
      shots(b, "security-off-refused");
      JsonObject account = p.get("/v1/accounts/~" + user, ACME_ADMIN_KEY).body();
      assertThat(account.getJsonArray("factors")).hasSize(1);
      assertThat(account.getJsonArray("factors").getJsonObject(0).getString("status")).isEqualTo("active");

      b.open(p.gatewayUrl() + "/t/acme/security/recovery-codes");
      b.fill("#code", AuthenticatorApp.codeAtStep(key, freshStep()));
      submit(b, "button.primary");
      b.waitForText("h1", "Your new recovery codes");
      assertThat(b.texts("ol.codes li")).hasSize(10);
      shots(b, "security-recovery-codes");

      b.open(p.gatewayUrl() + "/t/acme/security");
      submit(b, "ul.list.factors a.button");
      b.waitForText("h1", "Remove Authenticator app");
      shots(b, "security-remove");

      b.open(p.gatewayUrl() + "/t/acme/security");
      String phone = TestPlatform.uniquePhone();
      b.fill("#phone", phone.substring(2));
      submit(b, "form[action$='/security/phone'] button");
      b.waitForText("h1", "Add a phone number");
      shots(b, "security-add-phone");
      b.fill("#code", smsCode(phone, 1));
      submit(b, "button.primary");
      b.waitForText(".notice.ok", "Added");
      assertThat(b.texts("ul.list.factors li")).hasSize(2);

      // Turning off with one valid code: the app, the phone and the recovery codes all go.
      submit(b, "a.button.danger");
      b.fill("#code", AuthenticatorApp.codeAtStep(key, freshStep()));
      submit(b, "button.primary");
      b.waitForText(".notice.ok", "Two-step verification is off");
      b.waitForText(".badge.warn", "Off");
      b.waitForText("main", "None. Tick"); // removing a factor forgets trusted browsers
      assertThat(b.present("ul.list.trusted")).isFalse();
      shots(b, "security-off-done");
      JsonObject off = p.get("/v1/accounts/~" + user, ACME_ADMIN_KEY).body();
      assertThat(off.getJsonArray("factors")).isEmpty();
      assertThat(off.getJsonObject("recovery_codes").getInteger("remaining")).as("recovery codes go too").isZero();
      noConsoleErrors(b);
    }
  }

  @Test
  void anUnknownUserAndAWrongPasswordLookTheSame() {
    String user = newUser();
    try (Browser b = Browser.desktop()) {
      b.open(p.gatewayUrl() + "/t/acme/sign-in");
      b.fill("#username", "nobody-" + user);
      b.fill("#password", PASSWORD);
      submit(b, "button.primary");
      b.waitForText(".notice.error", "Wrong username or password");
      long unknownStatus = status(b);
      String unknown = b.text("main").replace("nobody-" + user, "NAME");
      b.open(p.gatewayUrl() + "/t/acme/sign-in");
      b.fill("#username", user);
      b.fill("#password", "not-" + PASSWORD);
      submit(b, "button.primary");
      b.waitForText(".notice.error", "Wrong username or password");
      assertThat(status(b)).isEqualTo(unknownStatus).isEqualTo(401);
      assertThat(b.text("main").replace(user, "NAME")).isEqualTo(unknown);
      shots(b, "sign-in-wrong");
      noConsoleErrors(b);
    }
  }

  @Test
  void repeatedWrongCodesLockTheSecondFactorButNotThePassword() throws Exception {
    String user = newUser();
    enrolApp(user);
    try (Browser b = Browser.desktop()) {
      signIn(b, user);
      b.waitForUrl("/sign-in/verify");
      for (int i = 0; i < 6 && b.present("#code"); i++) {
        b.fill("#code", "000000");
        submit(b, "button.primary");
        b.waitForText(".notice.error", "code");
      }
      assertThat(b.text(".notice.error")).contains("locked");
      assertThat(b.present("#code")).as("no code form while locked").isFalse();
      shots(b, "verify-locked");
      submit(b, "form.start-over button");
      b.waitForUrl("/t/acme/sign-in");
      signIn(b, user);
      b.waitForUrl("/sign-in/verify"); // the password still works...
      assertThat(b.text(".notice.error")).contains("locked"); // ...the code step is what is locked
      noConsoleErrors(b);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String newUser() {
    String user = "signin" + USERS.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    p.createUser(user, PASSWORD, "user");
    return user;
  }

  private static void signIn(Browser b, String user) {
    b.open(p.gatewayUrl() + "/t/acme/sign-in");
    b.fill("#username", user);
    b.fill("#password", PASSWORD);
    submit(b, "button.primary");
    b.waitUntil("the page after the password", d -> !d.getCurrentUrl().endsWith("/sign-in"));
  }

  private static void signOut(Browser b) {
    submit(b, "header form.inline button");
    b.waitForUrl("/t/acme/sign-in");
  }

  /**
   * Clicks what submits a form or follows a link, and waits until the page it was on is gone, so
   * the next wait cannot read the old page while the new one replaces it.
   */
  private static void submit(Browser b, String css) {
    b.script("window.otpflowLeaving = true"); // gone with this document
    b.click(css);
    b.waitUntil("the next page after clicking " + css, Duration.ofSeconds(20), d -> {
      try {
        return Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) d)
            .executeScript("return !window.otpflowLeaving && document.readyState === 'complete'"));
      } catch (org.openqa.selenium.WebDriverException e) {
        return false; // between the two documents (Chromium answers "Node … does not belong to the document")
      }
    });
  }

  /** The HTTP status of the page the browser shows (Navigation Timing). */
  private static long status(Browser b) {
    return (Long) b.script("return performance.getEntriesByType('navigation')[0].responseStatus");
  }

  /** Moves the platform's clock to the start of a fresh 30 s step, so the app's code is new; returns the step. */
  private static long freshStep() {
    Instant now = p.clock.instant().plusSeconds(60);
    long step = Math.floorDiv(now.getEpochSecond(), 30);
    p.clock.set(Instant.ofEpochSecond(step * 30 + 1));
    return step;
  }

  /** An authenticator app on the user's account through the API (the browser's setup is the first test). */
  private static AuthenticatorApp.Key enrolApp(String user) throws Exception {
    TestPlatform.Reply enrolled = p.post("/v1/accounts/~" + user + "/factors/totp", ACME_ADMIN_KEY, "{}");
    assertThat(enrolled.status()).as("%s", enrolled.body()).isEqualTo(201);
    AuthenticatorApp.Key key = AuthenticatorApp.parse(enrolled.body().getString("otpauth_uri"));
    TestPlatform.Reply confirmed = p.post("/v1/accounts/~" + user + "/factors/" + enrolled.body().getString("factor_id")
        + "/confirm", ACME_ADMIN_KEY, new JsonObject().put("code", AuthenticatorApp.codeAtStep(key, freshStep())).encode());
    assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
    return key;
  }

  private static void enrolPhone(String user, String phone) {
    TestPlatform.Reply enrolled = p.post("/v1/accounts/~" + user + "/factors/phone", ACME_ADMIN_KEY,
        new JsonObject().put("phone", phone).encode());
    assertThat(enrolled.status()).as("%s", enrolled.body()).isEqualTo(201);
    String code = p.awaitCode(enrolled.body().getString("verification_id"));
    TestPlatform.Reply confirmed = p.post("/v1/accounts/~" + user + "/factors/" + enrolled.body().getString("factor_id")
        + "/confirm", ACME_ADMIN_KEY, new JsonObject().put("code", code).encode());
    assertThat(confirmed.status()).as("%s", confirmed.body()).isEqualTo(200);
  }

  /** The code of the {@code nth} text message the fake Twilio received for {@code phone}, as the person reads it. */
  private static String smsCode(String phone, int nth) {
    List<FakeTwilio.ReceivedSms> to = await().atMost(Duration.ofSeconds(20)).until(
        () -> p.twilio.messages().stream().filter(m -> phone.equals(m.to())).toList(), l -> l.size() >= nth);
    Matcher m = SMS_CODE.matcher(to.get(nth - 1).body());
    assertThat(m.find()).as("a code in %s", to.get(nth - 1).body()).isTrue();
    return m.group(1);
  }

  /** Adds a simulated phone to the user's account on the dev outbox page; returns its device id. */
  private static String addDevice(Browser phone, String user) {
    phone.open(p.gatewayUrl() + "/dev/outbox.html");
    phone.fill("input[name=account]", "~" + user); // a hosted person's registry account
    phone.fill("input[name=label]", "Test phone");
    submit(phone, "form[action='/dev/devices'] button");
    phone.waitForUrl("result=device-added");
    JsonArray devices = p.get("/v1/accounts/~" + user + "/devices", ACME_ADMIN_KEY).body().getJsonArray("devices");
    assertThat(devices).hasSize(1);
    return devices.getJsonObject(0).getString("id");
  }

  /** On the outbox page, as the phone: waits for the push to reach the device, types the number, answers. */
  private static void answer(Browser phone, String device, String number, String decision) {
    String form = "form:has(input[name=device_id][value='" + device + "'])";
    phone.waitUntil("the push on the outbox page", Duration.ofSeconds(20), d -> {
      d.navigate().refresh();
      return !d.findElements(By.cssSelector(form)).isEmpty();
    });
    if ("approve".equals(decision)) {
      phone.fill(form + " input[name=number]", number);
    }
    submit(phone, form + " button[value=" + decision + "]");
    phone.waitForUrl("result=" + (decision.equals("approve") ? "approved" : "denied"));
  }

  /** A page's own 4xx answer, logged by Chromium as "Failed to load resource": the pages answer wrong codes so by design. */
  private static final Pattern PAGE_STATUS = Pattern.compile(
      "^http://127\\.0\\.0\\.1:\\d+/t/acme/[^ ]* - Failed to load resource: the server responded with a status of 4\\d\\d\\b.*");

  /**
   * No console error but the status of a page that answers a wrong code or password with 401, 403,
   * 410, 422 or 429: CSP violations, script errors and failed assets all fail the test.
   */
  private static void noConsoleErrors(Browser b) {
    List<String> errors = b.consoleErrors().stream().filter(e -> !PAGE_STATUS.matcher(e).matches()).toList();
    assertThat(errors).as("console errors other than the pages' own 4xx statuses").isEmpty();
  }

  /** The page at phone size (390×844) and desktop size (1280×900), whole, as signin-{size}-{name}.png. */
  private static void shots(Browser b, String name) {
    var driver = (org.openqa.selenium.chrome.ChromeDriver) b.driver();
    for (Object[] size : new Object[][] {{"phone", 390, 844, true, 2}, {"desktop", 1280, 900, false, 1}}) {
      driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", size[1], "height", size[2],
          "mobile", size[3], "deviceScaleFactor", size[4]));
      b.fullPageScreenshot("signin-" + size[0] + "-" + name);
    }
    if (b.screen().phone()) { // back to the phone the browser emulates
      driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", b.screen().width(),
          "height", b.screen().height(), "mobile", true, "deviceScaleFactor", 3));
    } else {
      driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
  }
}
