package io.otpflow.sms;

import com.twilio.http.HttpClient;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The Twilio SDK's transport, pointed at a configurable base URL, with bounded timeouts and no hidden
 * retries.
 *
 * <p>Why a subclass rather than {@link NetworkHttpClient} as is (SDK 13.0.1 / httpclient5 5.5):
 *
 * <ul>
 *   <li><b>No base-URL setting.</b> The SDK always builds {@code https://api.twilio.com/...}. Here the
 *       scheme, host, port and an optional path prefix are swapped for the configured base URL. The
 *       SDK's own URL builder cannot be reused for that: it re-derives the host from its dot-separated
 *       parts to insert region/edge, which mangles hosts with two or with six or more labels, so the
 *       rebased request overrides it.
 *   <li><b>Timeouts.</b> {@code NetworkHttpClient.makeRequest} pins the SDK's
 *       {@code DEFAULT_REQUEST_CONFIG} on every request (connect 30.5 s, pool lease 10 s, no response
 *       timeout), which overrides any client-wide {@code RequestConfig}. An exec interceptor that runs
 *       first replaces it with ours; the socket and connection config bound reads as well.
 *   <li><b>Retries.</b> {@link HttpClient#reliableRequest} replays a request up to 3 times, 100 ms
 *       apart, on any 5xx; Apache's default retry strategy replays even a POST once on 429/503 after
 *       sleeping for the whole Retry-After. Sending a message is not idempotent and the dispatcher has
 *       its own back-off, so both are switched off: one send is one HTTP request.
 *   <li><b>The raw answer.</b> The SDK's {@code ApiException} carries Twilio's error code and message
 *       but not the HTTP status (only the body's {@code status} field, absent when the body is not
 *       Twilio JSON) nor the headers, so Retry-After is lost. The raw answer is kept per thread
 *       ({@link #lastResponse()}); the base class's {@code getLastResponse()} is one shared field,
 *       racy across threads, and stays unused.
 * </ul>
 *
 * <p>Thread-safe: one instance serves concurrent senders (connection pool of 20 per route).
 */
public final class TwilioBaseUrlHttpClient extends HttpClient implements AutoCloseable {

  /** The raw HTTP answer to the last request made on the calling thread. */
  public record RawResponse(int statusCode, Map<String, List<String>> headers, String body) {
    public RawResponse {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** The first value of a header, matched case-insensitively. */
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public String toString() {
      // The body of a 201 echoes the message text, i.e. the one-time code.
      return "RawResponse[statusCode=" + statusCode + ", headers=" + headers.keySet() + "]";
    }
  }

  private static final int MAX_CONNECTIONS_PER_ROUTE = 20;
  private static final int MAX_CONNECTIONS_TOTAL = 100;

  private final URI baseUrl;
  private final boolean rebase;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final ClosableNetworkHttpClient delegate;
  private final ThreadLocal<RawResponse> lastResponse = new ThreadLocal<>();

  public TwilioBaseUrlHttpClient(URI baseUrl, Duration connectTimeout, Duration readTimeout) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.connectTimeout = requirePositive(connectTimeout, "connectTimeout");
    this.readTimeout = requirePositive(readTimeout, "readTimeout");
    if (baseUrl.getScheme() == null || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("base URL must be absolute with a host: " + baseUrl);
    }
    this.rebase = !isTwilioItself(baseUrl);
    this.delegate = new ClosableNetworkHttpClient(httpClientBuilder(connectTimeout, readTimeout));
  }

  /** For {@link TwilioConfig}'s base URL and timeouts. */
  public static TwilioBaseUrlHttpClient forConfig(TwilioConfig config) {
    return new TwilioBaseUrlHttpClient(
        config.apiBaseUrl(), config.connectTimeout(), config.readTimeout());
  }

  public URI baseUrl() {
    return baseUrl;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  /** One attempt only, whatever the SDK asks for: see the class comment. */
  @Override
  public Response reliableRequest(Request request) {
    return makeRequest(request);
  }

  /** One attempt only, whatever the SDK asks for: see the class comment. */
  @Override
  public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
    return makeRequest(request);
  }

  @Override
  public Response makeRequest(Request request) {
    lastResponse.remove();
    Request outgoing = rebase ? new RebasedRequest(request, rebase(baseUrl, request.constructURL())) : request;
    // Throws ApiException wrapping the IOException on timeouts and refused connections.
    Response response = delegate.makeRequest(outgoing);
    // The SDK's Response holds a one-shot stream; buffer it so both the SDK and we can read it.
    String content = response.getContent();
    Header[] headers = response.getHeaders() == null ? new Header[0] : response.getHeaders();
    lastResponse.set(new RawResponse(response.getStatusCode(), headerMap(headers), content));
    return new Response(content, response.getStatusCode(), headers);
  }

  /**
   * The raw answer to the last request made on this thread, if that request got an answer at all
   * (empty after a timeout or refused connection).
   */
  public Optional<RawResponse> lastResponse() {
    return Optional.ofNullable(lastResponse.get());
  }

  /** Drops this thread's remembered answer (it may echo a one-time code). */
  public void forgetLastResponse() {
    lastResponse.remove();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /**
   * {@code original} with scheme, host and port taken from {@code base} and the base's path put in
   * front of the original path; the query is dropped (the SDK appends its own query parameters).
   */
  static String rebase(URI base, URL original) {
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    String path = original.getPath() == null || original.getPath().isEmpty() ? "/" : original.getPath();
    return base.getScheme() + "://" + base.getRawAuthority() + prefix + path;
  }

  private static boolean isTwilioItself(URI url) {
    return "https".equalsIgnoreCase(url.getScheme())
        && "api.twilio.com".equalsIgnoreCase(url.getHost())
        && (url.getPort() == -1 || url.getPort() == 443)
        && (url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/"));
  }

  private static HttpClientBuilder httpClientBuilder(Duration connect, Duration read) {
    Timeout connectTimeout = Timeout.of(connect.toMillis(), TimeUnit.MILLISECONDS);
    Timeout readTimeout = Timeout.of(read.toMillis(), TimeUnit.MILLISECONDS);
    var connectionManager =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setDefaultSocketConfig(
                SocketConfig.custom().setSoTimeout(readTimeout).setSoKeepAlive(true).build())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(connectTimeout)
                    .setSocketTimeout(readTimeout)
                    .build())
            .setMaxConnPerRoute(MAX_CONNECTIONS_PER_ROUTE)
            .setMaxConnTotal(MAX_CONNECTIONS_TOTAL)
            .build();
    // No connect timeout here on purpose: left null, the connection config's one applies.
    RequestConfig requestConfig =
        RequestConfig.custom()
            .setConnectionRequestTimeout(connectTimeout)
            .setResponseTimeout(readTimeout)
            .build();
    return HttpClientBuilder.create()
        .useSystemProperties()
        .setConnectionManager(connectionManager)
        .setDefaultRequestConfig(requestConfig)
        .disableAutomaticRetries()
        // The SDK sets its own RequestConfig on each request; this runs before the connection is
        // leased and puts ours back in the context, which is where the exec chain reads it from.
        .addExecInterceptorFirst(
            "otpflow-timeouts",
            (request, scope, chain) -> {
              scope.clientContext.setRequestConfig(requestConfig);
              return chain.proceed(request, scope);
            });
  }

  private static Map<String, List<String>> headerMap(Header[] headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (Header h : headers) {
      map.computeIfAbsent(h.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue());
    }
    map.replaceAll((k, v) -> List.copyOf(v));
    return map;
  }

  private static Duration requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  /** A copy of an SDK request sent to a fixed URL instead of one derived from api.twilio.com. */
  private static final class RebasedRequest extends Request {
    private final String target;

    RebasedRequest(Request original, String target) {
      super(original.getMethod(), target);
      this.target = target;
      original.getQueryParams().forEach((k, vs) -> vs.forEach(v -> addQueryParam(k, v)));
      original.getPostParams().forEach((k, vs) -> vs.forEach(v -> addPostParam(k, v)));
      original.getHeaderParams().forEach((k, vs) -> vs.forEach(v -> addHeaderParam(k, v)));
      if (original.getFormParameters() != null) {
        setFormParameters(new ArrayList<>(original.getFormParameters()));
      }
      setContentType(original.getContentType());
      setBody(original.getBody());
      setUserAgentExtensions(original.getUserAgentExtensions());
      if (original.getAuthStrategy() != null) {
        setAuth(original.getAuthStrategy());
      } else if (original.getUsername() != null) {
        setAuth(original.getUsername(), original.getPassword());
      }
    }

    /** Verbatim: no region/edge host surgery. The SDK appends the query parameters. */
    @Override
    protected String buildURL() {
      return target;
    }
  }

  /** Exposes the pooled client's close, which the SDK's class keeps to itself. */
  private static final class ClosableNetworkHttpClient extends NetworkHttpClient {
    ClosableNetworkHttpClient(HttpClientBuilder builder) {
      super(builder);
    }

    void close() {
      try {
        client.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
