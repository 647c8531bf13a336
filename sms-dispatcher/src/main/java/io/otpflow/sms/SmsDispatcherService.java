package io.otpflow.sms;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.retry.RetryPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.service.RuntimeBacked;
import io.otpflow.common.service.ServiceRuntime;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the SMS dispatcher: the dispatch consumer around {@link SmsDispatcher}, its {@link RetryQueueWorker} and its provider. */
public final class SmsDispatcherService implements RuntimeBacked {
  private static final Logger LOG = LoggerFactory.getLogger(SmsDispatcherService.class);

  /** Five provider calls in all, backing off from 0.5 s. */
  static final RetryPolicy DEFAULT_RETRY = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8));
  static final Duration RETRY_POLL = Duration.ofMillis(100);
  static final int RETRIES_IN_FLIGHT = 64;

  private final ServiceRuntime runtime;
  private final SmsSender sender;
  private RetryQueueWorker retries;

  private SmsDispatcherService(DispatcherConfig config, Vertx vertx, Clock clock, RetryPolicy retry,
      PrometheusMeterRegistry registry) throws Exception {
    runtime = ServiceRuntime.open(DispatcherConfig.SERVICE, config.kafka(), config.redis(), registry);
    try {
      sender = "twilio".equals(config.provider())
          ? new TwilioSmsSender(config.twilio())
          : new OutboxSmsSender(config.outboxFile(), clock);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    try {
      SmsDispatcher.Outcomes outcomes =
          new SmsDispatcher.Outcomes() {
            @Override
            public void report(DeliveryReport report) throws Exception {
              runtime.publish(Topics.DELIVERY_REPORTS, report.verificationId(), report);
            }

            @Override
            public void deadLetter(SmsDispatch dispatch, String reason) throws Exception {
              runtime.deadLetters().publish(Topics.SMS_DISPATCH, dispatch.verificationId(), Json.write(dispatch), reason);
            }
          };
      SmsClaims claims = new SmsClaims(runtime.redis());
      SmsDispatcher dispatcher =
          new SmsDispatcher(
              sender, config.dispatchBox(), claims, outcomes, new SmsMessages(config.statusCallback(),
                  config.twilio() != null ? config.twilio().from() : null,
                  config.twilio() != null ? config.twilio().messagingServiceSid() : null),
              retry, config.lease(), clock, Clock.systemUTC(), runtime.registry());
      // Real time for the queue, as for the leases: a test clock that stands still must not freeze retries.
      retries = new RetryQueueWorker("sms", claims, dispatcher::retry, Clock.systemUTC(), RETRY_POLL, RETRIES_IN_FLIGHT).start();
      Gauge.builder(Metrics.SMS_RETRY_QUEUE, retries, RetryQueueWorker::queued)
          .description("SMS sends waiting on the retry queue or held by a lease (all instances: it is in Redis)")
          .register(runtime.registry());
      runtime.addReadinessCheck("retries", retries::isRunning);
      runtime.consume("sms-dispatch", DispatcherConfig.SERVICE, Topics.SMS_DISPATCH,
          record -> dispatcher.dispatch(Json.read(record.value(), SmsDispatch.class)));
      runtime.serve(vertx, config.httpHost(), config.httpPort());
    } catch (Exception | Error e) {
      close();
      throw e;
    }
    LOG.info("The SMS dispatcher is running: {}; metrics and health on port {}.", config, runtime.httpPort());
  }

  public static SmsDispatcherService start(DispatcherConfig config, Vertx vertx, Clock clock) throws Exception {
    return start(config, vertx, clock, Metrics.newRegistry(DispatcherConfig.SERVICE));
  }

  static SmsDispatcherService start(DispatcherConfig config, Vertx vertx, Clock clock, RetryPolicy retry)
      throws Exception {
    return new SmsDispatcherService(config, vertx, clock, retry, Metrics.newRegistry(DispatcherConfig.SERVICE));
  }

  /** With the registry {@code vertx} reports into (see ServiceVertx); the service closes it. */
  public static SmsDispatcherService start(DispatcherConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry)
      throws Exception {
    return new SmsDispatcherService(config, vertx, clock, DEFAULT_RETRY, registry);
  }

  /** Stops taking retries (what is not due stays queued in Redis), finishes the sends in flight, commits, then stops. */
  @Override
  public void close() {
    if (retries != null) {
      retries.close();
    }
    runtime.close();
    if (sender instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("The SMS provider client did not close cleanly: {}", e.toString());
      }
    }
  }

  @Override
  public ServiceRuntime runtime() {
    return runtime;
  }
}
