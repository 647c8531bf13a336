package io.otpflow.launcher;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a script engine, for the hosted pages' HTTP-level tests: a cookie jar, no
 * redirects followed, and the CSRF token of the last page that carried one. {@link #post} sends a
 * form exactly as given (to test forged or missing tokens); {@link #submit} adds the token.
 */
final class WebAgent {
  static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

  final CookieManager cookies = new CookieManager();
  final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  String csrf;

  WebAgent(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  HttpResponse<String> get(String path) throws Exception {
    return keepToken(http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(15)).GET()
        .build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** The form as given, without adding the CSRF token. */
  HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    return keepToken(http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** The form with the last page's CSRF token, as a browser submits it. */
  HttpResponse<String> submit(String path, Map<String, String> fields) throws Exception {
    Map<String, String> form = new LinkedHashMap<>(fields);
    form.putIfAbsent("csrf", csrf);
    return post(path, form);
  }

  /** Loads tenant acme's sign-in form and submits username and password. */
  HttpResponse<String> signIn(String username, String password) throws Exception {
    get("/t/acme/sign-in");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("username", username);
    form.put("password", password);
    return submit("/t/acme/sign-in", form);
  }

  /** Where a GET of {@code path} redirects to ("" when it does not). */
  String location(String path) throws Exception {
    return get(path).headers().firstValue("location").orElse("");
  }

  /** The session cookie's value, or null. */
  String session() {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("otpflow_session"))
        .map(HttpCookie::getValue).findFirst().orElse(null);
  }

  private HttpResponse<String> keepToken(HttpResponse<String> r) {
    Matcher m = CSRF.matcher(r.body());
    if (m.find()) {
      csrf = m.group(1);
    }
    return r;
  }
}
