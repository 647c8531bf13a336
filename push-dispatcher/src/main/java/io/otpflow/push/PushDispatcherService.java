package io.otpflow.push;

import io.otpflow.common.retry.RetryQueueWorker;
import io.otpflow.common.retry.RetryPolicy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.events.Verdict;
import io.otpflow.common.service.RuntimeBacked;
import io.otpflow.common.service.ServiceRuntime;
import io.otpflow.push.provider.ApnsPushSender;
import io.otpflow.push.provider.FcmPushSender;
import io.otpflow.push.provider.OutboxPushSender;
import io.otpflow.push.provider.PushSender;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the push dispatcher: the dispatch consumer around {@link PushDispatcher}, the verdict
 * consumer around {@link Withdrawals} (its own group, so it reads every verdict whatever else reads
 * them), the {@link RetryQueueWorker}, and one provider per platform.
 */
public final class PushDispatcherService implements RuntimeBacked {
  private static final Logger LOG = LoggerFactory.getLogger(PushDispatcherService.class);
  static final String DISPATCH_GROUP = PushDispatcherConfig.SERVICE;
  static final String VERDICT_GROUP = PushDispatcherConfig.SERVICE + "-verdicts";
  /** Five provider calls in all, backing off from 0.5 s. */
  static final RetryPolicy DEFAULT_RETRY = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10));
  static final Duration RETRY_POLL = Duration.ofMillis(100);
  static final int RETRIES_IN_FLIGHT = 64;

  private final ServiceRuntime runtime;
  private final List<PushSender> senders = new ArrayList<>();
  private RetryQueueWorker retries;

  private PushDispatcherService(
      PushDispatcherConfig config, Vertx vertx, Clock clock, RetryPolicy retry, PrometheusMeterRegistry registry)
      throws Exception {
    runtime = ServiceRuntime.open(PushDispatcherConfig.SERVICE, config.kafka(), config.redis(), registry);
    try {
      Map<String, PushSender> byPlatform = senders(config, clock);
      PushEvents events = new PushEvents() {
        @Override
        public void report(DeliveryReport report) throws Exception {
          runtime.publish(Topics.DELIVERY_REPORTS, report.verificationId(), report);
        }

        @Override
        public void deadLetter(PushDispatch dispatch, String reason) throws Exception {
          runtime.deadLetters().publish(Topics.PUSH_DISPATCH, dispatch.verificationId(), Json.write(dispatch), reason);
        }

        @Override
        public void dispatch(PushDispatch withdrawal) throws Exception {
          runtime.publish(Topics.PUSH_DISPATCH, withdrawal.verificationId(), withdrawal);
        }
      };
      RedisPushState state = new RedisPushState(runtime.redis());
      Withdrawals withdrawals = new Withdrawals(state, events, clock, runtime.registry());
      PushDispatcher dispatcher = new PushDispatcher(byPlatform, new DispatchOpener(config.dispatchBox(),
          config.addressBox()), state, withdrawals, events, retry, clock, runtime.registry());
      retries = new RetryQueueWorker("push", state, dispatcher::retry, clock, RETRY_POLL, RETRIES_IN_FLIGHT).start();
      Gauge.builder(Metrics.PUSH_RETRY_QUEUE, retries, RetryQueueWorker::queued)
          .description("Push sends and withdrawals waiting on the retry queue (all instances: it is in Redis)")
          .register(runtime.registry());
      runtime.addReadinessCheck("retries", retries::isRunning);
      runtime.consume("push-dispatch", DISPATCH_GROUP, Topics.PUSH_DISPATCH,
          record -> dispatcher.handle(Json.read(record.value(), PushDispatch.class)));
      runtime.consume("push-verdicts", VERDICT_GROUP, Topics.VERDICTS,
          record -> withdrawals.onVerdict(Json.read(record.value(), Verdict.class)));
      runtime.serve(vertx, config.httpHost(), config.httpPort());
    } catch (Exception | Error e) {
      close();
      throw e;
    }
    LOG.info("The push dispatcher is running: {}; metrics and health on port {}.", config, runtime.httpPort());
  }

  public static PushDispatcherService start(PushDispatcherConfig config, Vertx vertx, Clock clock) throws Exception {
    return start(config, vertx, clock, Metrics.newRegistry(PushDispatcherConfig.SERVICE));
  }

  /** With the registry {@code vertx} reports into (see ServiceVertx); the service closes it. */
  public static PushDispatcherService start(
      PushDispatcherConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry) throws Exception {
    return new PushDispatcherService(config, vertx, clock, DEFAULT_RETRY, registry);
  }

  static PushDispatcherService start(PushDispatcherConfig config, Vertx vertx, Clock clock, RetryPolicy retry)
      throws Exception {
    return new PushDispatcherService(config, vertx, clock, retry, Metrics.newRegistry(PushDispatcherConfig.SERVICE));
  }

  private Map<String, PushSender> senders(PushDispatcherConfig config, Clock clock) {
    Map<String, PushSender> byPlatform = new LinkedHashMap<>();
    if (config.providers().contains(PushDispatcherConfig.OUTBOX)) {
      PushSender outbox = keep(new OutboxPushSender(config.outboxFile(), clock));
      byPlatform.put("apns", outbox);
      byPlatform.put("fcm", outbox);
      return byPlatform;
    }
    if (config.apns() != null) {
      byPlatform.put("apns", keep(new ApnsPushSender(config.apns())));
    }
    if (config.fcm() != null) {
      byPlatform.put("fcm", keep(new FcmPushSender(config.fcm(), clock)));
    }
    return byPlatform;
  }

  private PushSender keep(PushSender sender) {
    senders.add(sender);
    return sender;
  }

  /** Stops taking retries (what is not due stays queued in Redis), finishes the batches in flight, then the rest. */
  @Override
  public void close() {
    if (retries != null) {
      retries.close();
    }
    runtime.close();
    for (PushSender sender : senders) {
      try {
        sender.close();
      } catch (RuntimeException e) {
        LOG.warn("The {} client did not close cleanly: {}", sender.provider(), e.toString());
      }
    }
  }

  @Override
  public ServiceRuntime runtime() {
    return runtime;
  }
}
