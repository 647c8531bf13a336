package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RedisServerTest {

    @Test
    void answersPingSetAndGetOnAFreePort() {
        try (RedisServer redis = RedisServer.start(null, 0); Jedis jedis = new Jedis(redis.host(), redis.port())) {
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(jedis.ping()).isEqualTo("PONG");
            jedis.set("greeting", "hello");
            assertThat(jedis.get("greeting")).isEqualTo("hello");
        }
    }

    @Test
    void keepsDataAcrossARestartWhenGivenADataDirectory(@TempDir Path dataDir) {
        try (RedisServer redis = RedisServer.start(dataDir, 0)) {
            int port = redis.port();
            try (Jedis jedis = new Jedis(redis.host(), port)) {
                jedis.set("survivor", "still here");
            }

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThatThrownBy(() -> {
                try (Jedis jedis = new Jedis(redis.host(), port)) {
                    jedis.ping();
                }
            }).isInstanceOf(JedisConnectionException.class);

            redis.start();
            assertThat(redis.port()).isEqualTo(port);
            try (Jedis jedis = new Jedis(redis.host(), port)) {
                assertThat(jedis.get("survivor")).isEqualTo("still here");
            }
        }
        assertThat(dataDir.resolve("redis.log")).exists();
    }

    @Test
    void persistsNothingWithoutADataDirectory(@TempDir Path workDir) throws Exception {
        try (RedisServer redis = RedisServer.start(null, 0)) {
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                jedis.set("ephemeral", "gone after restart");
            }
            redis.stop();
            redis.start();
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                assertThat(jedis.get("ephemeral")).isNull();
            }
        }
        try (var files = Files.list(RedisBinary.directory())) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".rdb") || name.endsWith(".aof"));
        }
    }

    @Test
    void refusesAPortThatIsAlreadyInUse() {
        try (RedisServer first = RedisServer.start(null, 0)) {
            assertThatThrownBy(() -> RedisServer.start(null, first.port()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the port is already in use");
        }
    }

    @Test
    void reportsTheEndOfTheRedisLogWhenRedisExits(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("appendonly.aof"), "this is not an append-only file\n");

        assertThatThrownBy(() -> RedisServer.start(dataDir, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not start: it exited")
                .hasMessageContaining("redis.log")
                .hasMessageContaining("append only file");
    }
}
