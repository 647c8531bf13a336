package io.otpflow.sms;

import com.fasterxml.jackson.databind.JsonNode;
import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.api.v2010.account.MessageCreator;
import com.twilio.type.PhoneNumber;
import io.otpflow.common.Json;
import io.otpflow.common.PhoneMask;
import io.otpflow.sms.TwilioBaseUrlHttpClient.RawResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one SMS through Twilio's Messages API with the official SDK, and turns every answer into a
 * {@link SendOutcome}:
 *
 * <ul>
 *   <li>2xx: {@link SendOutcome.Accepted} with the message SID.
 *   <li>429, 408, 5xx, timeouts, refused or reset connections, DNS failures: {@link
 *       SendOutcome.Retryable}, with the answer's Retry-After when there is one.
 *   <li>any other 4xx (21211 invalid To, 21610 unsubscribed, 20003 bad credentials …): {@link
 *       SendOutcome.Permanent} with Twilio's numeric error code as a string ({@code HTTP_<status>}
 *       when the body has none) and Twilio's message.
 * </ul>
 *
 * <p>One call is one HTTP request: the SDK's and Apache's automatic retries are off (see {@link
 * TwilioBaseUrlHttpClient}); the dispatcher decides when to try again.
 *
 * <p>The message body carries the one-time code: it is never logged, and digits from it are scrubbed
 * from any reason returned. Phone numbers are masked in logs and reasons.
 */
public final class TwilioSmsSender implements SmsSender, AutoCloseable {

  public static final String PROVIDER = "twilio";
  /** Twilio's accepted ValidityPeriod range, in seconds. */
  public static final int MIN_VALIDITY_SECONDS = 1;

  public static final int MAX_VALIDITY_SECONDS = 36_000;
  /** A Retry-After beyond this is taken as this; a dispatcher should not park a code for hours. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(TwilioSmsSender.class);
  private static final Pattern DIGIT_RUN = Pattern.compile("\\d{4,}");
  private static final Pattern PHONE = Pattern.compile("\\+?\\d{8,15}");
  private static final int MAX_REASON_LENGTH = 300;
  /** Shorter bodies are not searched for verbatim: "x" would match inside any word. */
  private static final int MIN_QUOTED_BODY_LENGTH = 8;

  private final TwilioConfig config;
  private final TwilioBaseUrlHttpClient http;
  private final TwilioRestClient client;

  public TwilioSmsSender(TwilioConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = TwilioBaseUrlHttpClient.forConfig(config);
    this.client =
        new TwilioRestClient.Builder(config.accountSid(), config.authToken())
            .httpClient(http)
            .build();
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  public TwilioConfig config() {
    return config;
  }

  @Override
  public SendOutcome send(SmsMessage message) {
    Objects.requireNonNull(message, "message");
    String to = PhoneMask.mask(message.to());
    if (message.to() == null || message.to().isBlank()) {
      return permanent(message, "invalid_message", "the message has no destination number");
    }
    if (message.body() == null || message.body().isEmpty()) {
      return permanent(message, "invalid_message", "the message has no text");
    }
    MessageCreator creator = creator(message);
    try {
      Message created = creator.create(client);
      log.debug(
          "Twilio accepted SMS verification={} to={} sid={}",
          message.verificationId(), to, created.getSid());
      return new SendOutcome.Accepted(created.getSid());
    } catch (RuntimeException e) {
      // The SDK throws ApiException both for Twilio's error answers (with code and message, but no
      // HTTP status or headers) and for transport failures (wrapping the IOException), and
      // ApiConnectionException when there was no answer at all. Which case it was comes from
      // whether our transport saw an answer on this thread. Nothing is thrown to the dispatcher.
      Optional<RawResponse> raw = http.lastResponse();
      return raw.isPresent() ? classifyAnswer(message, raw.get(), e) : classifyFailure(message, e);
    } finally {
      http.forgetLastResponse();
    }
  }

  @Override
  public void close() {
    http.close();
  }

  private MessageCreator creator(SmsMessage message) {
    PhoneNumber to = new PhoneNumber(message.to().trim());
    String from = blankToNull(message.from());
    String service = blankToNull(message.messagingServiceSid());
    if (from == null && service == null) {
      from = config.from();
      service = config.messagingServiceSid();
    }
    MessageCreator creator =
        from != null
            ? Message.creator(to, new PhoneNumber(from), message.body())
            : Message.creator(to, service, message.body());
    if (from != null && service != null) {
      creator.setMessagingServiceSid(service);
    }
    if (message.statusCallback() != null) {
      creator.setStatusCallback(message.statusCallback());
    }
    if (message.validity() != null) {
      creator.setValidityPeriod(validityPeriodSeconds(message.validity()));
    }
    return creator;
  }

  /** {@code validity} in whole seconds (rounded up), within Twilio's 1..36000. */
  static int validityPeriodSeconds(Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      return MIN_VALIDITY_SECONDS;
    }
    long seconds = validity.toSeconds() + (validity.toNanosPart() > 0 ? 1 : 0);
    return (int) Math.max(MIN_VALIDITY_SECONDS, Math.min(MAX_VALIDITY_SECONDS, seconds));
  }

  private SendOutcome classifyAnswer(SmsMessage message, RawResponse raw, RuntimeException e) {
    int status = raw.statusCode();
    TwilioError error = TwilioError.parse(raw.body(), e);
    if (status >= 200 && status < 300) {
      // Twilio took the message but the SDK could not read its answer. Sending again would text the
      // user twice; recover the SID ourselves, else give up loudly rather than retry.
      Optional<String> sid = readSid(raw.body());
      if (sid.isPresent()) {
        log.warn(
            "Twilio accepted SMS verification={} to={} sid={} but the SDK failed to read the"
                + " answer: {}",
            message.verificationId(), PhoneMask.mask(message.to()), sid.get(), e.toString());
        return new SendOutcome.Accepted(sid.get());
      }
      log.error(
          "Twilio answered HTTP {} to verification={} with no readable message SID; not retrying"
              + " to avoid a duplicate SMS",
          status, message.verificationId());
      return new SendOutcome.Permanent(
          "unreadable_answer", "Twilio answered HTTP " + status + " without a readable message SID");
    }
    boolean transientStatus = status == 429 || status == 408 || status >= 500;
    boolean unexpectedStatus = status < 200 || (status >= 300 && status < 400);
    if (transientStatus || unexpectedStatus) {
      Duration retryAfter =
          raw.header("Retry-After").map(TwilioSmsSender::parseRetryAfter).orElse(null);
      String reason = scrub(error.describeWithStatus(status), message);
      log.warn(
          "Twilio refused SMS for now verification={} to={} status={} code={} retryAfter={}: {}",
          message.verificationId(), PhoneMask.mask(message.to()), status, error.code(), retryAfter,
          reason);
      return new SendOutcome.Retryable(reason, retryAfter);
    }
    String code = error.code() != null ? error.code() : "HTTP_" + status;
    return permanent(message, code, scrub(error.text(status), message));
  }

  private SendOutcome classifyFailure(SmsMessage message, RuntimeException e) {
    Throwable io = rootIoCause(e);
    String kind;
    if (io instanceof SocketTimeoutException || io instanceof InterruptedIOException) {
      // Connect timeouts, read timeouts (no answer within readTimeout) and pool lease timeouts.
      kind = "timeout";
    } else if (io instanceof ConnectException || io instanceof NoRouteToHostException) {
      kind = "connection failed";
    } else if (io instanceof UnknownHostException) {
      kind = "unknown host";
    } else if (io != null) {
      kind = "I/O error";
    } else {
      kind = "client error";
    }
    String detail = io != null ? io.getClass().getSimpleName() + ": " + io.getMessage() : e.toString();
    String reason = scrub("Twilio unreachable (" + kind + "): " + detail, message);
    if (io == null) {
      log.error(
          "Twilio send failed without an answer verification={} to={}",
          message.verificationId(), PhoneMask.mask(message.to()), e);
    } else {
      log.warn(
          "Twilio send failed without an answer verification={} to={}: {}",
          message.verificationId(), PhoneMask.mask(message.to()), reason);
    }
    return new SendOutcome.Retryable(reason, null);
  }

  private SendOutcome permanent(SmsMessage message, String code, String reason) {
    log.warn(
        "Twilio rejected SMS verification={} to={} code={}: {}",
        message.verificationId(), PhoneMask.mask(message.to()), code, reason);
    return new SendOutcome.Permanent(code, reason);
  }

  /** Seconds ("120") or an HTTP date; negative or past values are zero, huge ones capped. */
  static Duration parseRetryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        d = Duration.between(Instant.now(), at);
      } catch (RuntimeException notDate) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  /**
   * A reason safe to log and to put in events: digit runs that occur in the message body (the code)
   * are starred out, the body itself if quoted, phone numbers masked, length bounded.
   */
  static String scrub(String reason, SmsMessage message) {
    if (reason == null) {
      return null;
    }
    String out = reason;
    String body = message.body();
    if (body != null && !body.isBlank()) {
      if (body.length() >= MIN_QUOTED_BODY_LENGTH) {
        out = out.replace(body, "<body>");
      }
      Matcher digits = DIGIT_RUN.matcher(body);
      while (digits.find()) {
        out = out.replace(digits.group(), "*".repeat(digits.group().length()));
      }
    }
    Matcher phones = PHONE.matcher(out);
    StringBuilder masked = new StringBuilder();
    while (phones.find()) {
      phones.appendReplacement(masked, Matcher.quoteReplacement(PhoneMask.mask(phones.group())));
    }
    phones.appendTail(masked);
    out = masked.toString();
    return out.length() > MAX_REASON_LENGTH ? out.substring(0, MAX_REASON_LENGTH) + "…" : out;
  }

  private static Optional<String> readSid(String body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body == null ? "" : body);
      JsonNode sid = node == null ? null : node.get("sid");
      return sid != null && sid.isTextual() && !sid.asText().isBlank()
          ? Optional.of(sid.asText())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Throwable rootIoCause(Throwable t) {
    Throwable found = null;
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof IOException) {
        found = c;
        if (c instanceof SocketTimeoutException || c instanceof ConnectException) {
          return c;
        }
      }
    }
    return found;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** Twilio's error answer: {"code": 21211, "message": "...", "more_info": "...", "status": 400}. */
  private record TwilioError(String code, String message) {

    static TwilioError parse(String body, RuntimeException e) {
      String code = null;
      String message = null;
      try {
        JsonNode node = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        if (node != null && node.isObject()) {
          JsonNode c = node.get("code");
          if (c != null && c.canConvertToLong()) {
            code = Long.toString(c.asLong());
          } else if (c != null && c.isTextual() && !c.asText().isBlank()) {
            code = c.asText();
          }
          JsonNode m = node.get("message");
          if (m != null && m.isTextual() && !m.asText().isBlank()) {
            message = m.asText();
          }
        }
      } catch (IOException notJson) {
        // A proxy's or load balancer's page; the status says enough.
      }
      if (code == null && e instanceof ApiException api && api.getCode() != null) {
        code = api.getCode().toString();
      }
      return new TwilioError(code, message);
    }

    /** Twilio's message, or a stand-in when the body had none. */
    String text(int status) {
      return message != null ? message : "HTTP " + status + " without a Twilio error message";
    }

    /** For retryable answers, where the status is the interesting part. */
    String describeWithStatus(int status) {
      return "HTTP " + status + (code != null ? " (Twilio " + code + ")" : "")
          + (message != null ? ": " + message : "");
    }
  }
}
