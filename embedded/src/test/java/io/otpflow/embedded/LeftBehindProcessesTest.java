package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A launcher JVM that is SIGKILLed runs no shutdown hook: what it started must go anyway, and what
 * is still left behind on its data folder must not meet a second server on the next start.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@EnabledOnOs(OS.LINUX) // the watch reads /proc; elsewhere only the takeover on the next start applies
class LeftBehindProcessesTest {
    @TempDir
    Path dir;

    private ChildProcesses children;

    @BeforeEach
    void children() {
        children = new ChildProcesses(dir);
    }

    @AfterEach
    void killChildren() {
        children.close();
    }

    @Test
    void nothingALauncherStartedOutlivesItsSigkill() throws Exception {
        Path folder = dir.resolve("data");
        Process launcher = children.start("launcher", LauncherStandIn.class, folder.toString(), "kafka");
        int port = children.awaitReady("launcher", launcher, Duration.ofSeconds(150));
        List<ProcessHandle> started = launcher.descendants().toList();
        assertThat(started).extracting(LeftBehindProcessesTest::commandLine)
                .anyMatch(c -> c.contains("redis-server"))
                .anyMatch(c -> c.contains("kafka.Kafka"));
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            jedis.set("written-before-the-kill", "kept");
        }

        launcher.destroyForcibly();

        Awaitility.await("every process the launcher started gone").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
        try (RedisServer again = RedisServer.start(folder.resolve("redis"), 0);
                Jedis jedis = new Jedis(again.host(), again.port())) {
            assertThat(jedis.get("written-before-the-kill")).as("Redis was stopped, not killed: its file is whole").isEqualTo("kept");
        }
    }

    @Test
    void aRedisLeftBehindOnTheFolderIsStoppedByTheNextStartOnIt() throws Exception {
        Path folder = dir.resolve("data");
        Process launcher = children.start("launcher", LauncherStandIn.class, folder.toString());
        int port = children.awaitReady("launcher", launcher, Duration.ofSeconds(60));
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            jedis.set("left-behind", "taken over");
        }
        ProcessHandle redis = launcher.descendants().filter(p -> commandLine(p).contains("redis-server")).findFirst().orElseThrow();
        // The watch killed too (kill -9 of the whole tree but Redis): only the pid file is left to go by.
        launcher.descendants().filter(p -> p.pid() != redis.pid()).forEach(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(redis.isAlive()).as("the orphan this test is about").isTrue();

        try (RedisServer next = RedisServer.start(folder.resolve("redis"), 0);
                Jedis jedis = new Jedis(next.host(), next.port())) {
            assertThat(redis.isAlive()).isFalse();
            assertThat(jedis.get("left-behind")).isEqualTo("taken over");
        }
    }

    @Test
    void aPidFileNamingSomeOtherProcessLeavesThatProcessAlone() throws Exception {
        Path folder = dir.resolve("redis");
        Files.createDirectories(folder);
        Process stranger = new ProcessBuilder("sleep", "120").start();
        try {
            Files.writeString(folder.resolve(OrphanedRedis.PID_FILE), stranger.pid() + "\n");

            try (RedisServer redis = RedisServer.start(folder, 0)) {
                assertThat(redis.isRunning()).isTrue();
                assertThat(stranger.isAlive()).isTrue();
            }
        } finally {
            stranger.destroyForcibly();
        }
    }

    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).replace('\0', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
