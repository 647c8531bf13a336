package io.otpflow.launcher;

import static io.otpflow.launcher.TestPlatform.ACME_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that {@link Browser} works: first against a page made here (console capture of a CSP
 * violation, cookies, both kinds of image), then against the real platform's development outbox page.
 */
@BrowserTest
class BrowserSmokeTest {
  /** The outbox file's folder. */
  @TempDir static Path folder;
  static TestPlatform p;

  @BeforeAll
  static void start() throws Exception {
    Path outbox = folder.resolve("outbox.jsonl");
    p = TestPlatform.start(KafkaFixture.shared().bootstrapServers(), RedisFixture.shared().uri(), Map.of(
        "SMS_PROVIDER", "outbox",
        "PUSH_PROVIDER", "outbox",
        "OTPFLOW_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_OUTBOX_FILE", outbox.toString(),
        "OTPFLOW_DEV_DEVICES", "true"));
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
  }

  /**
   * The fixture itself: a CSP violation is in the console errors (so assertNoConsoleErrors can fail),
   * an HttpOnly cookie is visible to the test, and imagePng reads a data: URI and a same-origin URL
   * that answers only with the browser's cookie.
   */
  @Test
  void theFixtureSeesConsoleErrorsCookiesAndImages() throws Exception {
    byte[] png = png();
    String dataUri = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", x -> {
      switch (x.getRequestURI().getPath()) {
        case "/ok" -> {
          x.getResponseHeaders().add("set-cookie", "session=s3cr3t; Path=/; HttpOnly; SameSite=Strict");
          x.getResponseHeaders().add("set-cookie", "__Host-secure=1; Path=/; Secure; HttpOnly; SameSite=Strict");
          html(x, "default-src 'none'; img-src 'self' data:",
              "<h1>Fixture</h1><img id=\"url\" src=\"/qr.png\"><img id=\"inline\" src=\"" + dataUri + "\">");
        }
        case "/qr.png" -> {
          String cookie = x.getRequestHeaders().getFirst("cookie");
          boolean signedIn = cookie != null && cookie.contains("session=s3cr3t");
          x.getResponseHeaders().add("content-type", "image/png");
          x.sendResponseHeaders(signedIn ? 200 : 403, signedIn ? png.length : -1);
          if (signedIn) {
            x.getResponseBody().write(png);
          }
          x.close();
        }
        case "/phone" -> html(x, "default-src 'none'",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><h1>Phone</h1>");
        case "/csp" -> html(x, "default-src 'none'", "<style>h1{color:red}</style><h1>Blocked style</h1>");
        default -> {
          x.sendResponseHeaders(404, -1);
          x.close();
        }
      }
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try (Browser b = Browser.desktop(); Browser phone = Browser.phone()) {
      b.open(base + "/ok");
      assertThat(b.text("h1")).isEqualTo("Fixture");
      assertThat(b.script("return [innerWidth, innerHeight]")).as("the viewport").isEqualTo(List.of(1280L, 900L));
      assertThat(b.cookie("session")).hasValueSatisfying(c -> assertThat(c.isHttpOnly()).isTrue());
      assertThat(b.cookie("__Host-secure")).as("Chromium counts http://127.0.0.1 as a secure context").isPresent();
      assertThat(b.imagePng("#inline")).isEqualTo(png);
      assertThat(b.imagePng("#url")).as("fetched with the browser's cookie").isEqualTo(png);
      b.assertNoConsoleErrors();

      b.open(base + "/csp");
      b.waitUntil("the CSP violation in the console", d -> !b.consoleErrors().isEmpty());
      assertThat(b.consoleErrors())
          .anySatisfy(e -> assertThat(e).contains("inline style violates the following Content Security Policy directive"));
      assertThatThrownBy(b::assertNoConsoleErrors).hasMessageContaining("Content Security Policy");

      phone.open(base + "/phone");
      assertThat(phone.script("return [innerWidth, innerHeight, screen.width, devicePixelRatio]"))
          .as("a page with a viewport meta tag is laid out for the phone").isEqualTo(List.of(390L, 844L, 390L, 3L));
      phone.assertNoConsoleErrors();
    } finally {
      server.stop(0);
    }
  }

  /**
   * The development outbox page in a real browser: an SMS sent through the API shows up with its
   * number and a code that approves; the page's form adds a simulated phone (the form token, the 303
   * back to the page, the note); a phone screen shows the device; no console error on either (the
   * page's CSP allows only its own hashed stylesheet, so a violation would show here).
   */
  @Test
  void theOutboxPageShowsAnSmsAndAddsADeviceThroughItsForm() {
    String account = "browser-" + System.nanoTime();
    try (Browser b = Browser.desktop()) {
      String page = p.gatewayUrl() + "/dev/outbox.html";
      String to = TestPlatform.uniquePhone();
      String id = p.sendSms(ACME_KEY, to);
      String row = b.waitUntil("the SMS on the outbox page", Duration.ofSeconds(20),
          d -> b.open(page).texts("tr").stream().filter(t -> t.contains(id)).findFirst().orElse(null));
      assertThat(row).contains("SMS " + to).containsPattern("code is \\d{6}");
      String code = row.replaceAll("(?s).*code is (\\d{6}).*", "$1");
      assertThat(p.check(ACME_KEY, id, code).body().getString("status")).as("the code the page shows").isEqualTo("approved");

      b.fill("input[name=account]", account);
      b.fill("input[name=label]", "Alice");
      b.select("select[name=platform]", "fcm");
      b.click("form[action='/dev/devices'] button");
      assertThat(b.waitForUrl("result=")).endsWith("/dev/outbox.html?result=device-added");
      assertThat(b.text("p.note")).startsWith("Device added");
      assertThat(b.texts("tr")).anySatisfy(t -> assertThat(t).contains("acme", account, "Alice", "fcm", "DV"));
      assertThat(b.screenshot("outbox-desktop")).isRegularFile();
      b.assertNoConsoleErrors();
    }
    assertThat(p.get("/v1/accounts/" + account + "/devices", ACME_KEY).body().getJsonArray("devices")).hasSize(1);

    try (Browser phone = Browser.phone()) {
      phone.open(p.gatewayUrl() + "/dev/outbox.html");
      // The screen is the phone's (the page has <meta name="viewport">, so it is laid out 390 px wide).
      assertThat(phone.script("return [screen.width, devicePixelRatio, matchMedia('(pointer: coarse)').matches]"))
          .isEqualTo(List.of(390L, 3L, true));
      assertThat(phone.script("return navigator.userAgent").toString()).contains("Mobile");
      assertThat(phone.texts("tr")).anySatisfy(t -> assertThat(t).contains(account));
      assertThat(phone.fullPageScreenshot("outbox-phone")).isRegularFile();
      phone.assertNoConsoleErrors();
    }
  }

  private static void html(HttpExchange x, String csp, String body) throws IOException {
    byte[] page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head><body>" + body
        + "</body></html>").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("content-type", "text/html; charset=utf-8");
    x.getResponseHeaders().add("content-security-policy", csp);
    x.sendResponseHeaders(200, page.length);
    x.getResponseBody().write(page);
    x.close();
  }

  private static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 3, 0xff0000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
