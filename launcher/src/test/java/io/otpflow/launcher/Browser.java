package io.otpflow.launcher;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SessionNotCreatedException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser for tests of the gateway's pages: headless Chromium driven through the installed
 * chromedriver (never one Selenium Manager downloads), with a fresh profile per instance.
 *
 * <pre>{@code
 * try (Browser b = Browser.desktop()) {          // or Browser.phone()
 *   b.open(p.gatewayUrl() + "/dev/outbox.html");
 *   b.fill("input[name=account]", "alice");
 *   b.click("form[action='/dev/devices'] button");
 *   b.waitForText(".note", "Device added");
 *   b.screenshot("outbox-device-added");
 *   b.assertNoConsoleErrors();                    // CSP violations land here
 * }
 * }</pre>
 *
 * <p>Without Chromium or chromedriver (looked up on {@code PATH}, or named by {@code CHROME_BIN} and
 * {@code CHROMEDRIVER}) a class marked {@link BrowserTest} is skipped whole, and any other test that
 * opens a browser is skipped (JUnit assumption), saying which is missing and how to install it; {@code .ci/run} installs both. Every wait is on a condition (WebDriverWait),
 * none is a sleep. {@link #close()} quits the browser, stops chromedriver and deletes the profile,
 * also when the test failed; a JVM shutdown hook does the same for a browser a test never closed.
 */
final class Browser implements AutoCloseable {
  static final String INSTALL = "apt-get install chromium chromium-driver";
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final String[] CHROMIUM_NAMES = {"chromium", "chromium-browser", "google-chrome"};
  /** Chrome on a phone, so pages that name the device from the User-Agent see a phone. */
  private static final String PHONE_USER_AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
      + "(KHTML, like Gecko) Chrome/150.0.0.0 Mobile Safari/537.36";
  /**
   * Selenium logs through java.util.logging, which keeps loggers only weakly: held here so the levels
   * stay. Its INFO chatter is left out, and so is "Unable to find CDP implementation matching 150":
   * this Selenium ships CDP bindings for newer Chromes only, and nothing here uses them (screenshots
   * and cookies go through chromedriver's version-independent CDP endpoint).
   */
  private static final java.util.logging.Logger SELENIUM_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium");
  private static final java.util.logging.Logger CDP_VERSION_LOG =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");
  /** Chromium asks for /favicon.ico by itself when a page names no icon; its 404 is no fault of the page. */
  private static final java.util.regex.Pattern FAVICON_404 =
      java.util.regex.Pattern.compile("^\\S+/favicon\\.ico - Failed to load resource: the server responded with a status of 404\\b.*");
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  static {
    // Before any Selenium class builds a driver: no OpenTelemetry tracing. (Selenium Manager, which
    // would download drivers and send statistics, never runs: the driver's path is given below; should
    // it run anyway, the launcher's surefire sets SE_OFFLINE and SE_AVOID_STATS for it.)
    System.setProperty("webdriver.remote.enableTracing", "false");
    SELENIUM_LOG.setLevel(Level.WARNING);
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
  }

  /** A browser window's size in CSS pixels, and whether it emulates a phone (touch, mobile viewport, phone UA). */
  record Screen(String name, int width, int height, boolean phone) {}

  static final Screen DESKTOP = new Screen("desktop", 1280, 900, false);
  static final Screen PHONE = new Screen("phone", 390, 844, true);

  private final Screen screen;
  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final WebDriverWait wait;
  private final List<LogEntry> console = new ArrayList<>();
  private final Thread shutdownHook;
  private boolean closed;

  /** A desktop browser window, 1280×900. */
  static Browser desktop() {
    return new Browser(DESKTOP);
  }

  /**
   * A phone: a 390×844 screen at device pixel ratio 3, touch, and a mobile Chrome User-Agent. As on a
   * real phone, the page is laid out 390 px wide only if it has {@code <meta name="viewport"
   * content="width=device-width">}; without, 980 px, shrunk to fit.
   */
  static Browser phone() {
    return new Browser(PHONE);
  }

  /** A browser of another size (a {@link Screen} with {@code phone} true emulates a phone like {@link #phone()}). */
  static Browser start(Screen screen) {
    return new Browser(screen);
  }

  private Browser(Screen screen) {
    this.screen = screen;
    Programs programs = programs();
    Assumptions.assumeTrue(programs.problem() == null, programs::problem);
    Path chromium = programs.chromium();
    Path chromedriver = programs.chromedriver();
    try {
      profile = Files.createTempDirectory("otpflow-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The driver executable given here means Selenium Manager is never asked (it would go to the network).
    service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
    ChromeDriver started = null;
    try {
      started = new ChromeDriver(service, options(chromium, screen, profile));
    } catch (SessionNotCreatedException e) {
      deleteProfileAndStop(service, profile);
      throw new IllegalStateException("chromedriver " + chromedriver + " could not start " + chromium
          + " (their major versions must match: compare `chromium --version` and `chromedriver --version`)", e);
    } catch (RuntimeException e) {
      deleteProfileAndStop(service, profile);
      throw e;
    }
    driver = started;
    wait = new WebDriverWait(driver, WAIT);
    shutdownHook = new Thread(this::quit, "browser-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(WAIT);
      if (!screen.phone()) {
        // --window-size is the outer window: headless Chromium keeps room for its (invisible) toolbar,
        // so grow the window by that much to make the page's viewport the screen's size.
        @SuppressWarnings("unchecked")
        List<Long> frame = (List<Long>) script(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]");
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(
            screen.width() + frame.get(0).intValue(), screen.height() + frame.get(1).intValue()));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static ChromeOptions options(Path chromium, Screen screen, Path profile) {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--password-store=basic", "--lang=en-US",
        "--user-data-dir=" + profile, "--window-size=" + screen.width() + "," + screen.height());
    o.setExperimentalOption("prefs", Map.of("intl.accept_languages", "en-US"));
    if (screen.phone()) {
      o.setExperimentalOption("mobileEmulation", Map.of(
          "deviceMetrics", Map.of("width", screen.width(), "height", screen.height(), "pixelRatio", 3.0,
              "mobile", true, "touch", true),
          "userAgent", PHONE_USER_AGENT));
    }
    // The page's console (CSP violations, script errors, failed loads), read through chromedriver's log endpoint.
    o.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    return o;
  }

  // ---- finding the programs ------------------------------------------------------------------

  /** Where Chromium and chromedriver are, or why either cannot be used. */
  private record Programs(Path chromium, Path chromedriver, String problem) {}

  /**
   * Why the browser tests cannot run here (which program is missing, how to install it), or null
   * when both programs are there. {@link BrowserTest} skips a whole class with this reason.
   */
  static String missing() {
    return programs().problem();
  }

  private static Programs programs() {
    List<String> problems = new ArrayList<>();
    Path chromium = find("CHROME_BIN", CHROMIUM_NAMES, "Chromium", problems);
    Path chromedriver = find("CHROMEDRIVER", new String[] {"chromedriver"}, "chromedriver", problems);
    String problem = problems.isEmpty() ? null : String.join("; ", problems)
        + ". Install both with '" + INSTALL + "' (.ci/run does) to run the browser tests";
    return new Programs(chromium, chromedriver, problem);
  }

  /** The program named by {@code variable}, else the first of {@code names} on PATH. */
  private static Path find(String variable, String[] names, String what, List<String> problems) {
    String env = System.getenv(variable);
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
      problems.add(variable + "=" + env + " is not an executable file (fix or unset it)");
      return null;
    }
    for (String name : names) {
      Optional<Path> p = OptionalTools.onPath(name);
      if (p.isPresent()) {
        return p.get();
      }
    }
    problems.add("no " + what + ": " + variable + " is not set and " + String.join(", ", names) + " "
        + (names.length == 1 ? "is" : "are") + " not on PATH");
    return null;
  }

  // ---- driving the page ----------------------------------------------------------------------

  /** The Selenium driver, for anything the helpers here do not cover. */
  WebDriver driver() {
    return driver;
  }

  Screen screen() {
    return screen;
  }

  /** Loads {@code url} (absolute) and waits until the document has loaded. */
  Browser open(String url) {
    driver.get(url);
    waitUntil("the document of " + url + " to load",
        d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    return this;
  }

  /** Clears the visible, enabled field at {@code css} and types {@code text} into it. */
  Browser fill(String css, String text) {
    WebElement field = wait.withMessage("a visible, enabled field " + css)
        .until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
    field.clear();
    field.sendKeys(text);
    return this;
  }

  /** Chooses the option with visible text {@code text} in the {@code <select>} at {@code css}. */
  Browser select(String css, String text) {
    WebElement select = wait.withMessage("a visible <select> " + css)
        .until(ExpectedConditions.elementToBeClickable(By.cssSelector(css)));
    new org.openqa.selenium.support.ui.Select(select).selectByVisibleText(text);
    return this;
  }

  /**
   * Clicks the element at {@code css} once it is visible and enabled. A click that submits a form
   * returns before the next page has loaded: wait for what it shows ({@link #waitForText}, {@link #waitForUrl}).
   */
  Browser click(String css) {
    wait.withMessage("a clickable " + css).until(ExpectedConditions.elementToBeClickable(By.cssSelector(css))).click();
    return this;
  }

  /** The visible text of the element at {@code css}, once it is visible. */
  String text(String css) {
    return element(css).getText();
  }

  /** The visible texts of every element matching {@code css} (none: an empty list, no wait). */
  List<String> texts(String css) {
    return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
  }

  /** The element at {@code css}, once it is visible. */
  WebElement element(String css) {
    return wait.withMessage("a visible " + css).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  /** Whether an element matches {@code css} right now (no wait). */
  boolean present(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  /** Waits until the element at {@code css} is visible and its text contains {@code expected}; returns its text. */
  String waitForText(String css, String expected) {
    wait.withMessage("text '" + expected + "' in " + css)
        .until(whilePagesChange(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), expected)::apply));
    return text(css);
  }

  /** Waits until the current URL contains {@code fragment}; returns the URL. */
  String waitForUrl(String fragment) {
    wait.withMessage("a URL containing '" + fragment + "' (now " + driver.getCurrentUrl() + ")")
        .until(ExpectedConditions.urlContains(fragment));
    return driver.getCurrentUrl();
  }

  /**
   * Waits (up to {@link #WAIT}) until {@code condition} returns something other than null or false,
   * and returns it; fails naming {@code what} otherwise.
   */
  <T> T waitUntil(String what, Function<WebDriver, T> condition) {
    return wait.withMessage(what).until(whilePagesChange(condition));
  }

  /**
   * The condition, reading "not yet" while the page is being replaced: Chromium then answers element
   * reads with "Node with given id does not belong to the document" (or a stale element), which is a
   * moment of navigation, not a failure.
   */
  private static <T> java.util.function.Function<WebDriver, T> whilePagesChange(Function<WebDriver, T> condition) {
    return d -> {
      try {
        return condition.apply(d);
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        return null;
      } catch (org.openqa.selenium.WebDriverException e) {
        if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
          return null;
        }
        throw e;
      }
    };
  }

  /** The same with another timeout (e.g. a message that goes through Kafka first). */
  <T> T waitUntil(String what, Duration timeout, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout).withMessage(what).until(whilePagesChange(condition));
  }

  /** Runs {@code script} in the page (WebDriver scripts are not subject to the page's script-src). */
  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  String url() {
    return driver.getCurrentUrl();
  }

  String title() {
    return driver.getTitle();
  }

  /** The cookie {@code name} the browser holds for the current page, HttpOnly ones included. */
  Optional<Cookie> cookie(String name) {
    return Optional.ofNullable(driver.manage().getCookieNamed(name));
  }

  // ---- screenshots and images ----------------------------------------------------------------

  /** Where screenshots go: launcher/target/screenshots (beside test-classes, whatever the working folder). */
  static Path screenshotFolder() {
    try {
      Path testClasses = Path.of(Browser.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return testClasses.getParent().resolve("screenshots");
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return Path.of("target", "screenshots");
    }
  }

  /** The viewport as a PNG at target/screenshots/{name}.png ({@code name} sanitised); returns its path. */
  Path screenshot(String name) {
    return save(name, driver.getScreenshotAs(OutputType.BYTES));
  }

  /** The whole page, beyond the viewport, as a PNG at target/screenshots/{name}.png; returns its path. */
  Path fullPageScreenshot(String name) {
    Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
        Map.of("format", "png", "captureBeyondViewport", true));
    return save(name, Base64.getDecoder().decode((String) shot.get("data")));
  }

  static String sanitise(String name) {
    String safe = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._]+", "");
    if (safe.length() > 120) {
      safe = safe.substring(0, 120);
    }
    return safe.isEmpty() ? "screenshot" : safe;
  }

  private static Path save(String name, byte[] png) {
    try {
      Path folder = Files.createDirectories(screenshotFolder());
      Path file = folder.resolve(sanitise(name) + ".png");
      Files.write(file, png);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The PNG bytes of the {@code <img>} at {@code css}, after the browser has loaded and decoded it (an
   * image the page's CSP blocks never loads: this fails then). A {@code data:} URI is decoded; a URL
   * must be of the page's origin and is fetched again with the browser's cookies for it (not with the
   * page's fetch, which the page's connect-src would refuse).
   */
  byte[] imagePng(String css) {
    WebElement img = element(css);
    wait.withMessage(() -> "the image " + css + " to load (blocked by the page's CSP? console errors: "
            + consoleErrors() + ")")
        .until(d -> (Boolean) script("return arguments[0].complete && arguments[0].naturalWidth > 0", img));
    String src = img.getDomProperty("currentSrc");
    if (src == null || src.isEmpty()) {
      src = img.getDomProperty("src");
    }
    byte[] bytes = src.startsWith("data:") ? dataUri(src) : fetchSameOrigin(src);
    if (bytes.length < PNG_SIGNATURE.length
        || !java.util.Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
      throw new AssertionError("The image " + css + " is not a PNG: " + abbreviate(src));
    }
    return bytes;
  }

  private static byte[] dataUri(String src) {
    int comma = src.indexOf(',');
    if (comma < 0) {
      throw new AssertionError("A data: URI without a comma: " + abbreviate(src));
    }
    String meta = src.substring(5, comma);
    String data = src.substring(comma + 1);
    if (meta.endsWith(";base64")) {
      return Base64.getMimeDecoder().decode(data);
    }
    return URLDecoder.decode(data, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.ISO_8859_1);
  }

  private byte[] fetchSameOrigin(String src) {
    URI image = URI.create(src);
    URI page = URI.create(driver.getCurrentUrl());
    if (!origin(image).equals(origin(page))) {
      throw new AssertionError("The image " + src + " is not of the page's origin " + origin(page));
    }
    String cookies = cookiesFor(image);
    HttpRequest.Builder request = HttpRequest.newBuilder(image).timeout(WAIT).GET()
        .header("user-agent", String.valueOf(script("return navigator.userAgent")));
    if (!cookies.isEmpty()) {
      request.header("cookie", cookies);
    }
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build()) {
      HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new AssertionError("GET " + src + " with the browser's cookies: " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The Cookie header the browser would send to {@code url}: Chromium's own choice (path, Secure,
   * HttpOnly included) through CDP Network.getCookies, which chromedriver passes on whatever the version.
   */
  private String cookiesFor(URI url) {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> cookies = (List<Map<String, Object>>) driver.executeCdpCommand("Network.getCookies",
        Map.of("urls", List.of(url.toString()))).get("cookies");
    return cookies.stream().map(c -> c.get("name") + "=" + c.get("value")).collect(Collectors.joining("; "));
  }

  private static String origin(URI u) {
    int port = u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    return u.getScheme() + "://" + u.getHost() + ":" + port;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  // ---- the console ---------------------------------------------------------------------------

  /**
   * Everything the pages logged to the console since this browser started (chromedriver hands each
   * entry out once; this keeps them). Includes CSP violations (Chromium 150: "… violates the following
   * Content Security Policy directive …"; older ones: "Refused to …"), uncaught script
   * errors and failed loads ("Failed to load resource: … 404").
   */
  List<LogEntry> consoleLog() {
    if (!closed) {
      driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
    }
    return List.copyOf(console);
  }

  /**
   * The console entries at level SEVERE (errors), as text; without the 404 of the /favicon.ico that
   * Chromium requests on its own for a page that names no icon.
   */
  List<String> consoleErrors() {
    return consoleLog().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage).filter(m -> !FAVICON_404.matcher(m).matches()).toList();
  }

  /** Fails, listing them, when any page logged an error so far (a CSP violation, a script error, a failed load). */
  void assertNoConsoleErrors() {
    List<String> errors = consoleErrors();
    if (!errors.isEmpty()) {
      throw new AssertionError("The browser console has " + errors.size() + " error(s):\n  "
          + String.join("\n  ", errors));
    }
  }

  // ---- cleaning up ---------------------------------------------------------------------------

  /** Quits Chromium, stops chromedriver and deletes the profile folder; safe to call twice. */
  @Override
  public void close() {
    quit();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: nothing to remove
    }
  }

  private synchronized void quit() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      driver.quit();
    } catch (RuntimeException e) {
      // the browser may be gone already; the service and the profile still go
    } finally {
      deleteProfileAndStop(service, profile);
    }
  }

  private static void deleteProfileAndStop(ChromeDriverService service, Path profile) {
    try {
      service.stop();
    } catch (RuntimeException e) {
      // already stopped
    }
    // Chromium's helpers can still be writing for a moment after quit: a failed pass is retried once.
    for (int attempt = 0; attempt < 2 && Files.exists(profile); attempt++) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // retried, or left in the temp folder
      }
    }
  }
}
