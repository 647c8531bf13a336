package io.otpflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.Env;
import io.otpflow.common.PlatformKeys;
import io.otpflow.testing.KafkaFixture;
import io.otpflow.testing.RedisFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway's readiness follows the Redis its hosted pages need: a real redis-server stopped and started again. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GatewayReadinessTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private RedisFixture redis;
  private Vertx vertx;
  private GatewayService gateway;

  @BeforeEach
  void start() throws Exception {
    redis = RedisFixture.startPrivate();
    vertx = Vertx.vertx();
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaFixture.shared().bootstrapServers());
    env.put("REDIS_URL", redis.uri());
    env.put("OTPFLOW_HTTP_HOST", "127.0.0.1");
    env.put("OTPFLOW_HTTP_PORT", "0");
    env.put("OTPFLOW_MANAGEMENT_PORT", "0"); // any free port: the default 9080 may be taken on a shared machine
    env.put(PlatformKeys.CODE_MAC_KEY, key("code-mac-key-code-mac-key-code-ma"));
    env.put(PlatformKeys.FACTOR_KEYS, "f1:" + key("factor-key-factor-key-factor-key"));
    env.put(PlatformKeys.ADDRESS_KEYS, "a1:" + key("address-key-address-key-address!"));
    env.put("OTPFLOW_TENANTS", """
        [{"id": "readiness", "display_name": "Readiness", "api_key": "readiness-test-key-0123456789"}]""");
    gateway = GatewayService.start(GatewayConfig.fromEnv(new Env(env)), vertx);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    vertx.close().await();
    redis.close();
  }

  @Test
  void isNotReadyWhileRedisIsDownAndReadyAgainWhenItIsBack() {
    Awaitility.await("ready with Redis up").atMost(Duration.ofSeconds(30))
        .until(() -> ready().statusCode() == 200);

    redis.stop();

    HttpResponse<String> down = ready();
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(down.body()).getJsonObject("checks").getString("redis")).isEqualTo("down");
    assertThat(new JsonObject(down.body()).getJsonObject("checks").getString("kafka")).isEqualTo("up");

    redis.start();

    Awaitility.await("ready again once Redis is back").atMost(Duration.ofSeconds(30))
        .until(() -> ready().statusCode() == 200);
  }

  private HttpResponse<String> ready() {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/health/ready"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }
}
