package io.otpflow.verifier;

import io.micrometer.core.instrument.Timer;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.Verdict;
import io.otpflow.common.kafka.Replies;
import io.otpflow.common.service.RuntimeBacked;
import io.otpflow.common.service.ServiceRuntime;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/** Wires the verifier: the check-request consumer around {@link Verifier}, and verdict events. */
public final class VerifierService implements RuntimeBacked {
  private static final Logger LOG = LoggerFactory.getLogger(VerifierService.class);

  private final ServiceRuntime runtime;
  private final Verifier verifier;
  private final Clock clock;

  private VerifierService(VerifierConfig config, Vertx vertx, Clock clock) throws Exception {
    this.clock = clock;
    runtime = ServiceRuntime.open(VerifierConfig.SERVICE, config.kafka(), config.redis());
    try {
      verifier = new Verifier(config.tenants(), new RedisCheckStore(runtime.redis()), clock, runtime.registry());
      Timer latency = Timer.builder(Metrics.CHECK_LATENCY).publishPercentileHistogram().register(runtime.registry());
      runtime.consume("verifier-requests", VerifierConfig.SERVICE, Topics.VERIFIER_REQUESTS,
          record -> latency.recordCallable(() -> answer(record)));
      runtime.serve(vertx, config.httpHost(), config.httpPort());
    } catch (Exception | Error e) {
      runtime.close();
      throw e;
    }
    LOG.info("The verifier is running: {}; metrics and health on port {}.", config, runtime.httpPort());
  }

  public static VerifierService start(VerifierConfig config, Vertx vertx, Clock clock) throws Exception {
    return new VerifierService(config, vertx, clock);
  }

  private Void answer(ConsumerRecord<String, byte[]> record) throws Exception {
    Replies.requireReplyHeaders(record);
    if (Replies.pastDeadline(record, Instant.now())) {
      LOG.info("Skipping check of {}: its caller stopped waiting.", record.key());
      return null;
    }
    CheckRequest request = Json.read(record.value(), CheckRequest.class);
    Verifier.Decision decision;
    try {
      decision = verifier.check(request);
    } catch (JedisException e) {
      // Fail closed: without Redis nothing can be approved.
      LOG.warn("Redis failed while checking verification {}: {}", request.verificationId(), e.toString());
      runtime.replies().send(record, new CheckReply.Unavailable("redis"));
      return null;
    }
    // Reply and verdict go out together and are both acknowledged before the commit: waiting for
    // one ack before sending the other added a broker round trip to every check.
    Future<RecordMetadata> replied = runtime.replies().start(record, decision.reply());
    String outcome = Json.MAPPER.valueToTree(decision.reply()).path("outcome").asText();
    int left = decision.reply() instanceof CheckReply.Denied d ? d.attemptsLeft() : 0;
    Future<RecordMetadata> verdict = runtime.publishAsync(Topics.VERDICTS, request.verificationId(),
        new Verdict(UUID.randomUUID().toString(), clock.instant(), request.tenant(), request.verificationId(),
            decision.account(), outcome, left, decision.channel(), null));
    ServiceRuntime.await(replied);
    ServiceRuntime.await(verdict);
    return null;
  }

  @Override
  public ServiceRuntime runtime() {
    return runtime;
  }
}
