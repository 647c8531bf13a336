package io.otpflow.sms;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.SecretBox;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import java.time.Clock;
import java.util.UUID;
import redis.clients.jedis.UnifiedJedis;

/**
 * The SMS dispatcher's own {@link SmsDispatcher} on a Redis client, with Kafka and the provider cut
 * out: the per-event claim and its outcome, exactly as a dispatch costs the dispatcher in Redis. The
 * provider is a stand-in that accepts at once and keeps the text, as a phone would. In the
 * dispatcher's package (bench module only) because {@link SmsDispatcher} is package-private.
 */
public final class DispatcherRedisCalls {
  private static final ThreadLocal<String> TEXT = new ThreadLocal<>();
  private static final ThreadLocal<DeliveryReport> REPORT = new ThreadLocal<>();

  private final SmsDispatcher dispatcher;

  /** What the provider got and what the dispatcher reported. */
  public record Dispatched(String text, DeliveryReport report) {}

  public DispatcherRedisCalls(UnifiedJedis redis, SecretBox dispatchBox, MeterRegistry metrics) {
    SmsSender accepting = new SmsSender() {
      @Override
      public String provider() {
        return "bench";
      }

      @Override
      public SendOutcome send(SmsMessage message) {
        TEXT.set(message.body());
        return new SendOutcome.Accepted("BN" + UUID.randomUUID().toString().replace("-", ""));
      }
    };
    SmsDispatcher.Outcomes outcomes = new SmsDispatcher.Outcomes() {
      @Override
      public void report(DeliveryReport report) {
        REPORT.set(report);
      }

      @Override
      public void deadLetter(SmsDispatch dispatch, String reason) {
        throw new IllegalStateException("The bench provider never refuses a message: " + reason);
      }
    };
    dispatcher = new SmsDispatcher(accepting, dispatchBox, redis, outcomes, null, "+15005550006", null,
        SmsDispatcherService.DEFAULT_RETRY, Clock.systemUTC(), metrics);
  }

  /** Dispatches one event on the calling thread. */
  public Dispatched dispatch(SmsDispatch dispatch) throws Exception {
    TEXT.remove();
    REPORT.remove();
    dispatcher.dispatch(dispatch);
    return new Dispatched(TEXT.get(), REPORT.get());
  }
}
