package io.otpflow.bench;

import io.otpflow.testing.FakeTwilio;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The platform through its public API, as a tenant's login flow uses it: {@code POST
 * /v1/verifications} (done when the HTTP answer is 201 and, separately, when the fake Twilio got the
 * SMS) and {@code POST /v1/verifications/{id}/check} with the right code (done when it answers
 * approved). Non-blocking HTTP/1.1 with keep-alive; the pool is large enough that it never limits
 * an open-loop run below the gateway's own timeout.
 */
final class PlatformHttp implements AutoCloseable {
  static final String PROVIDER = "provider";

  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent client;
  private final String authorization;
  private final Destinations destinations;
  private final CheckFixtures fixtures;
  private final Map<String, Request> awaitingSms = new ConcurrentHashMap<>();
  private final LongAdder unexpectedSms = new LongAdder();

  PlatformHttp(int gatewayPort, String apiKey, FakeTwilio twilio, Destinations destinations, CheckFixtures fixtures) {
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gatewayPort).setKeepAlive(true)
            .setConnectTimeout(5000),
        new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(-1));
    this.authorization = "Bearer " + apiKey;
    this.destinations = destinations;
    this.fixtures = fixtures;
    twilio.streamTo(sms -> {
      Request r = awaitingSms.remove(sms.to());
      if (r != null) {
        r.reached(PROVIDER);
      } else {
        unexpectedSms.increment();
      }
    });
  }

  /** SMS the fake provider got for no request that was waiting for one (duplicates, late ones). */
  long unexpectedSms() {
    return unexpectedSms.sum();
  }

  Target send() {
    return new Target() {
      @Override
      public String name() {
        return "send";
      }

      @Override
      public void fire(Request r) {
        String to = destinations.nextNumber();
        r.expectStage();
        awaitingSms.put(to, r);
        String body = new JsonObject().put("to", to).put("channel", "sms").put("account", destinations.nextAccount()).encode();
        post("/v1/verifications", body).onComplete(ar -> {
          if (ar.failed()) {
            awaitingSms.remove(to);
            r.fail("io-" + ar.cause().getClass().getSimpleName());
          } else if (ar.result().status() == 201) {
            r.ok();
          } else {
            awaitingSms.remove(to);
            r.fail("http-" + ar.result().status());
          }
        });
      }
    };
  }

  Target check() {
    return new Target() {
      @Override
      public String name() {
        return "check";
      }

      @Override
      public void prepare(long requests) throws Exception {
        fixtures.ensure(requests + 100);
      }

      @Override
      public void fire(Request r) {
        CheckFixtures.Fixture f = fixtures.take(r);
        post("/v1/verifications/" + f.verificationId() + "/check", "{\"code\":\"" + f.code() + "\"}").onComplete(ar -> {
          if (ar.failed()) {
            r.fail("io-" + ar.cause().getClass().getSimpleName());
          } else if (ar.result().status() == 200 && ar.result().body().contains("\"approved\"")) {
            r.ok();
          } else {
            r.fail("http-" + ar.result().status());
          }
        });
      }
    };
  }

  private record Answer(int status, String body) {}

  private Future<Answer> post(String path, String body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path)
        .putHeader("authorization", authorization).putHeader("content-type", "application/json")
        .setIdleTimeout(10_000);
    return client.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
