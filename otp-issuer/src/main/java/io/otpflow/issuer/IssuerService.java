package io.otpflow.issuer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.CodeGenerator;
import io.otpflow.common.Json;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.kafka.Replies;
import io.otpflow.common.service.RuntimeBacked;
import io.otpflow.common.service.ServiceRuntime;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/** Wires the issuer: request and delivery-report consumers around {@link Issuer}. */
public final class IssuerService implements RuntimeBacked {
  private static final Logger LOG = LoggerFactory.getLogger(IssuerService.class);

  private final ServiceRuntime runtime;
  private final Issuer issuer;

  private IssuerService(IssuerConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry) throws Exception {
    runtime = ServiceRuntime.open(IssuerConfig.SERVICE, config.kafka(), config.redis(), registry);
    try {
      issuer =
          new Issuer(
              config.tenants(),
              new RedisChallengeStore(runtime.redis(), config.retention()),
              new CodeGenerator(),
              config.codeMac(),
              config.dispatchBox(),
              dispatch -> runtime.publish(Topics.SMS_DISPATCH, dispatch.verificationId(), dispatch),
              new AccountRegistryReader(runtime.redis(), config.codeMac(), clock),
              config.addressBox(),
              clock,
              new SendFunnel(runtime.registry(), config.prices()),
              new SpendCap(runtime.redis(), config.prices(), config.tenants(), clock, runtime.registry()),
              // Every device's event at once; each is keyed by the verification id, like SMS dispatches.
              pushes -> runtime.publishAll(Topics.PUSH_DISPATCH, pushes.stream()
                  .<java.util.Map.Entry<String, Object>>map(d -> java.util.Map.entry(d.verificationId(), d)).toList()));
      runtime.consume("issuer-requests", IssuerConfig.SERVICE, Topics.ISSUER_REQUESTS, this::answer);
      runtime.consume("issuer-deliveries", IssuerConfig.SERVICE + "-deliveries", Topics.DELIVERY_REPORTS, record -> {
        DeliveryReport report = Json.read(record.value(), DeliveryReport.class);
        issuer.applyDelivery(report);
      });
      runtime.serve(vertx, config.httpHost(), config.httpPort());
    } catch (Exception | Error e) {
      runtime.close();
      throw e;
    }
    LOG.info("The issuer is running: {}; metrics and health on port {}.", config, runtime.httpPort());
  }

  public static IssuerService start(IssuerConfig config, Vertx vertx, Clock clock) throws Exception {
    return start(config, vertx, clock, Metrics.newRegistry(IssuerConfig.SERVICE));
  }

  /** With the registry {@code vertx} reports into (see ServiceVertx); the service closes it. */
  public static IssuerService start(IssuerConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry)
      throws Exception {
    return new IssuerService(config, vertx, clock, registry);
  }

  private void answer(ConsumerRecord<String, byte[]> record) throws Exception {
    Replies.requireReplyHeaders(record);
    IssuerRequest request = Json.read(record.value(), IssuerRequest.class);
    if (Replies.pastDeadline(record, Instant.now())) {
      LOG.info("Not answering request {}: its caller stopped waiting.", record.key());
      issuer.finishIfStored(request);
      return;
    }
    IssuerReply reply;
    try {
      reply = issuer.handle(request);
    } catch (JedisException e) {
      LOG.warn("Redis failed while serving verification {}: {}", request.verificationId(), e.toString());
      reply = new IssuerReply.Unavailable("redis");
    }
    runtime.replies().send(record, reply);
  }

  @Override
  public ServiceRuntime runtime() {
    return runtime;
  }
}
