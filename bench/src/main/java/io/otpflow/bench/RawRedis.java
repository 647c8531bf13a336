package io.otpflow.bench;

import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.issuer.IssuerRedisCalls;
import io.otpflow.sms.DispatcherRedisCalls;
import io.otpflow.verifier.VerifierRedisCalls;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform's Redis work with everything else cut out: the services' own domain classes and
 * Redis adapters on Jedis (the same client settings, pool and scripts), one virtual thread per
 * request. A send is what the issuer, the dispatcher and the issuer's delivery-report consumer do in
 * Redis for one verification; a check is what the verifier does for one check of the right code.
 */
final class RawRedis {
  private static final Pattern CODE = Pattern.compile("code is (\\d+)");

  private final IssuerRedisCalls issuer;
  private final DispatcherRedisCalls dispatcher;
  private final VerifierRedisCalls verifier;
  private final Destinations destinations;
  private final CheckFixtures fixtures;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  RawRedis(IssuerRedisCalls issuer, DispatcherRedisCalls dispatcher, VerifierRedisCalls verifier,
      Destinations destinations, CheckFixtures fixtures) {
    this.issuer = issuer;
    this.dispatcher = dispatcher;
    this.verifier = verifier;
    this.destinations = destinations;
    this.fixtures = fixtures;
  }

  Target send() {
    return new Target() {
      @Override
      public String name() {
        return "raw-redis-send";
      }

      @Override
      public void fire(Request r) {
        workers.execute(() -> {
          try {
            String id = "VE" + HexFormat.of().formatHex(randomBytes());
            IssuerRedisCalls.Sent sent = issuer.send(id, destinations.nextNumber(), destinations.nextAccount());
            if (!(sent.reply() instanceof IssuerReply.Created) || sent.dispatch() == null) {
              r.fail("issuer-" + sent.reply().getClass().getSimpleName());
              return;
            }
            DispatcherRedisCalls.Dispatched d = dispatcher.dispatch(sent.dispatch());
            issuer.delivered(id, d.report().state());
            Matcher m = CODE.matcher(d.text());
            if (m.find()) {
              fixtures.add(id, m.group(1));
            }
            r.ok();
          } catch (Exception | Error e) {
            r.fail(e.getClass().getSimpleName());
            RawRedis.firstFailure(e);
          }
        });
      }
    };
  }

  Target check() {
    return new Target() {
      @Override
      public String name() {
        return "raw-redis-check";
      }

      @Override
      public void prepare(long requests) throws Exception {
        fixtures.ensure(requests + 100);
      }

      @Override
      public void fire(Request r) {
        workers.execute(() -> {
          try {
            CheckFixtures.Fixture f = fixtures.take(r);
            CheckReply reply = verifier.check(f.verificationId(), f.code());
            if (reply instanceof CheckReply.Approved) {
              r.ok();
            } else {
              r.fail("check-" + reply.getClass().getSimpleName());
            }
          } catch (RuntimeException | Error e) {
            r.fail(e.getClass().getSimpleName());
            firstFailure(e);
          }
        });
      }
    };
  }

  private static final java.util.concurrent.atomic.AtomicBoolean REPORTED = new java.util.concurrent.atomic.AtomicBoolean();

  /** The first failure of a run is printed whole: a raw baseline that fails is a harness bug. */
  private static void firstFailure(Throwable e) {
    if (REPORTED.compareAndSet(false, true)) {
      System.err.println("bench: a raw Redis request failed; the first failure:");
      e.printStackTrace();
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
