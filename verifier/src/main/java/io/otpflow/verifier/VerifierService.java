package io.otpflow.verifier;

import io.micrometer.core.instrument.Timer;
import io.otpflow.common.CodeMac;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.PasswordHash;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.events.AccountEvent;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountRequest;
import java.nio.charset.StandardCharsets;
import io.otpflow.common.Metrics;
import io.otpflow.common.Topics;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.DeliveryReport;
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

  /** Account requests are served by their own group, so their rebalances never pause code checks. */
  public static final String ACCOUNTS_GROUP = VerifierConfig.SERVICE + "-accounts";
  /** Delivery reports, read for dead push tokens only; its own group, so it sees every report the issuer sees. */
  public static final String DELIVERIES_GROUP = VerifierConfig.SERVICE + "-deliveries";
  private static final java.util.regex.Pattern DEVICE_ID = java.util.regex.Pattern.compile("DV[0-9a-f]{32}");
  private static final java.util.regex.Pattern VERIFICATION_ID = java.util.regex.Pattern.compile("VE[0-9a-f]{32}");

  private final ServiceRuntime runtime;
  private final Verifier verifier;
  private final AccountStore accounts;
  private final AccountRegistry accountRegistry;
  private final CodeMac codeMac;
  private final Clock clock;
  private final RedisCheckStore checkStore;

  private VerifierService(VerifierConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry)
      throws Exception {
    this.clock = clock;
    runtime = ServiceRuntime.open(VerifierConfig.SERVICE, config.kafka(), config.redis(), registry);
    try {
      codeMac = config.codeMac();
      RedisCheckStore checks = new RedisCheckStore(runtime.redis(), config.codeMac());
      checkStore = checks;
      accounts = new AccountStore(runtime.redis(), config.codeMac());
      FactorChecks factors = new FactorChecks(accounts, config.factorBox(), config.codeMac());
      verifier = new Verifier(config.tenants(), checks, accounts, factors, clock, runtime.registry(),
          new CheckFunnel(runtime.redis(), runtime.registry()), config.factorBox());
      accountRegistry =
          new AccountRegistry(config.tenants(), accounts, checks, factors, verifier, PasswordHash.OWASP, clock);
      Timer latency = Timer.builder(Metrics.CHECK_LATENCY)
          .description("Time the verifier takes to decide and answer one check request")
          .serviceLevelObjectives(Metrics.BUCKETS_CHECK)
          .register(runtime.registry());
      runtime.consume("verifier-requests", VerifierConfig.SERVICE, Topics.VERIFIER_REQUESTS,
          record -> latency.recordCallable(() -> answer(record)));
      runtime.consume("account-requests", ACCOUNTS_GROUP, Topics.ACCOUNT_REQUESTS, this::answerAccount);
      runtime.consume("dead-tokens", DELIVERIES_GROUP, Topics.DELIVERY_REPORTS, this::pruneDeadToken);
      runtime.serve(vertx, config.httpHost(), config.httpPort());
    } catch (Exception | Error e) {
      runtime.close();
      throw e;
    }
    LOG.info("The verifier is running: {}; metrics and health on port {}.", config, runtime.httpPort());
  }

  public static VerifierService start(VerifierConfig config, Vertx vertx, Clock clock) throws Exception {
    return start(config, vertx, clock, Metrics.newRegistry(VerifierConfig.SERVICE));
  }

  /** With the registry {@code vertx} reports into (see ServiceVertx); the service closes it. */
  public static VerifierService start(VerifierConfig config, Vertx vertx, Clock clock, PrometheusMeterRegistry registry)
      throws Exception {
    return new VerifierService(config, vertx, clock, registry);
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
    if (decision.reply() instanceof CheckReply.Refused || decision.reply() instanceof CheckReply.Unavailable) {
      runtime.replies().send(record, decision.reply());
      return null; // decided nothing: no verdict (an unauthenticated caller cannot fill the topic)
    }
    // A device's deny is a "denied" verdict that names the device: the verification is over.
    String outcome = decision.reply() instanceof CheckReply.Declined
        ? "denied" : Json.MAPPER.valueToTree(decision.reply()).path("outcome").asText();
    int left = decision.reply() instanceof CheckReply.Denied d ? d.attemptsLeft() : 0;
    String tenant = decision.tenant() != null ? decision.tenant() : request.tenant();
    if (tenant == null) {
      runtime.replies().send(record, decision.reply());
      return null; // an answer without an API key for a verification that does not exist
    }
    // Reply and verdict go out together and are both acknowledged before the commit: waiting for
    // one ack before sending the other added a broker round trip to every check.
    Future<RecordMetadata> replied = runtime.replies().start(record, decision.reply());
    Future<RecordMetadata> verdict = runtime.publishAsync(Topics.VERDICTS, request.verificationId(),
        new Verdict(UUID.randomUUID().toString(), clock.instant(), tenant, request.verificationId(),
            decision.account(), outcome, left, decision.channel(), decision.deviceId()));
    ServiceRuntime.await(replied);
    ServiceRuntime.await(verdict);
    return null;
  }

  /**
   * Serves one account request. The outcome of a change (reply and events) is remembered for an hour
   * before anything is published, so a redelivered request publishes the same events again (consumers
   * de-duplicate by event id) and gets the same answer, instead of being carried out twice.
   */
  private void answerAccount(ConsumerRecord<String, byte[]> record) throws Exception {
    Replies.requireReplyHeaders(record);
    if (Replies.pastDeadline(record, Instant.now())) {
      LOG.info("Skipping an account request: its caller stopped waiting.");
      return;
    }
    AccountRequest request = Json.read(record.value(), AccountRequest.class);
    AccountRegistry.Outcome outcome;
    try {
      boolean remember = !(request instanceof AccountRequest.Get);
      String earlier = remember ? accounts.outcome(request.tenant(), request.account(), request.eventId()) : null;
      if (earlier != null) {
        outcome = Json.read(earlier.getBytes(StandardCharsets.UTF_8), AccountRegistry.Outcome.class);
      } else {
        outcome = accountRegistry.handle(request);
        // Changes, and the refusals that counted a wrong code toward the lockout, which must not be
        // counted again when Kafka redelivers the request. Other refusals changed nothing and leave
        // nothing behind: they are simply decided again.
        if (remember && (!outcome.events().isEmpty() || countedAWrongCode(outcome.reply()))) {
          accounts.rememberOutcome(request.tenant(), request.account(), request.eventId(), Json.writeString(outcome));
        }
      }
    } catch (JedisException e) {
      LOG.warn("Redis failed while serving an account request of tenant {}: {}", request.tenant(), e.toString());
      runtime.replies().send(record, new AccountReply.Unavailable("redis"));
      return;
    }
    for (AccountEvent event : outcome.events()) {
      runtime.publish(Topics.ACCOUNT_EVENTS, AccountRegistryReader.accountMac(codeMac, event.tenant(), event.account()), event);
      LOG.info("Account event {} for factor {} of tenant {} by {}.", event.type(), event.factorId(), event.tenant(), event.actor());
    }
    runtime.replies().send(record, outcome.reply());
  }

  private static boolean countedAWrongCode(AccountReply reply) {
    return reply instanceof AccountReply.Denied || reply instanceof AccountReply.Locked
        || (reply instanceof AccountReply.ProofRefused p && "invalid-proof".equals(p.reason()));
  }

  /**
   * A delivery report that says a push token is dead ({@code failed}, reason {@code
   * device-unregistered}) removes its device from the account the verification was for, and an
   * account event says so (actor system, reason token-dead). The report has no account: it is read
   * from the verification. The outcome is remembered under the report's event id before the event is
   * published, so a redelivered report publishes the same event again instead of finding nothing to do.
   * Every other report is not for this consumer.
   */
  private void pruneDeadToken(ConsumerRecord<String, byte[]> record) throws Exception {
    DeliveryReport report = Json.read(record.value(), DeliveryReport.class);
    if (!"push".equals(report.channel()) || !"failed".equals(report.state())
        || !"device-unregistered".equals(report.reason())) {
      return;
    }
    if (report.deviceId() == null || !DEVICE_ID.matcher(report.deviceId()).matches()
        || !VERIFICATION_ID.matcher(report.verificationId()).matches() || report.occurredAt() == null
        || report.eventId() == null || report.eventId().length() > 100) {
      throw new io.otpflow.common.MalformedEventException(
          "A dead-token report needs a device id, a verification id, an event id and its time.");
    }
    String account = checkStore.ownerOf(report.tenant(), report.verificationId(), clock.instant()).account();
    if (account == null) {
      LOG.info("Cannot prune device {}: verification {} of tenant {} is gone, so its account is unknown.",
          report.deviceId(), report.verificationId(), report.tenant());
      return;
    }
    String key = "report:" + report.eventId();
    String earlier = accounts.outcome(report.tenant(), account, key);
    AccountRegistry.Outcome outcome = earlier != null
        ? Json.read(earlier.getBytes(StandardCharsets.UTF_8), AccountRegistry.Outcome.class)
        : accountRegistry.pruneDeadDevice(report.tenant(), account, report.deviceId(), report.occurredAt());
    if (earlier == null && !outcome.events().isEmpty()) {
      accounts.rememberOutcome(report.tenant(), account, key, Json.writeString(outcome));
    }
    for (AccountEvent event : outcome.events()) {
      runtime.publish(Topics.ACCOUNT_EVENTS, AccountRegistryReader.accountMac(codeMac, event.tenant(), event.account()), event);
      io.micrometer.core.instrument.Counter.builder(Metrics.PUSH_TOKENS_PRUNED)
          .description("Devices removed from their account because the provider said their token is dead")
          .tags(Metrics.TAG_TENANT, event.tenant(), Metrics.TAG_PLATFORM, platform(report.provider()))
          .register(runtime.registry()).increment();
      LOG.info("Removed device {} of tenant {}: {} says its token is dead.", event.factorId(), event.tenant(),
          report.provider());
    }
  }

  /** The platform a provider stands for, as a bounded label value. */
  private static String platform(String provider) {
    return "apns".equals(provider) || "fcm".equals(provider) ? provider : Metrics.UNKNOWN;
  }

  @Override
  public void close() {
    runtime.close();
    accountRegistry.close();
  }

  @Override
  public ServiceRuntime runtime() {
    return runtime;
  }
}
