package io.otpflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RedisFixtureTest {

    @Test
    void sharesOneRedisThatAnswersCommands() {
        RedisFixture redis = RedisFixture.shared();
        String key = KafkaFixture.uniqueId("fixture-key");

        assertThat(RedisFixture.shared()).isSameAs(redis);
        assertThat(redis.uri()).isEqualTo("redis://" + redis.host() + ":" + redis.port());
        try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            jedis.set(key, "value");
            assertThat(jedis.get(key)).isEqualTo("value");
        }
    }

    @Test
    void refusesToStopTheSharedRedis() {
        RedisFixture redis = RedisFixture.shared();

        assertThatThrownBy(redis::stop).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(redis::kill).isInstanceOf(UnsupportedOperationException.class);
        redis.close();
        assertThat(redis.isRunning()).isTrue();
    }

    @Test
    void privateRedisGoesDownAndComesBackOnTheSamePortEmpty() {
        try (RedisFixture redis = RedisFixture.startPrivate()) {
            assertThat(redis.port()).isNotEqualTo(RedisFixture.shared().port());
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                jedis.set("before", "outage");
            }

            redis.stop();
            assertThatThrownBy(() -> {
                try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                    jedis.ping();
                }
            }).isInstanceOf(JedisConnectionException.class);

            redis.start();
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                assertThat(jedis.get("before")).isNull();
            }
        }
    }
}
