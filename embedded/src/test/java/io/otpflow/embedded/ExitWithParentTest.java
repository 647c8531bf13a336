package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A child JVM must not outlive its parent, even when the parent dies without running shutdown hooks. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
@DisabledOnOs(OS.WINDOWS)
class ExitWithParentTest {

    @TempDir
    Path workDir;

    private Process fakeParent;
    private Process child;

    @AfterEach
    void cleanUp() {
        for (Process process : new Process[] {child, fakeParent}) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void exitsWhenItsParentIsKilled() throws Exception {
        fakeParent = new ProcessBuilder("sleep", "60").start();
        child = startChildOf(fakeParent.pid());
        Awaitility.await("the child's main method running").atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(childLog()) && Files.readString(childLog()).contains("Waiting for up to a minute."));
        assertThat(child.isAlive()).isTrue();

        fakeParent.destroyForcibly();
        assertThat(fakeParent.waitFor(10, TimeUnit.SECONDS)).isTrue(); // reaped, so its pid is gone

        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child still running after its parent died").isTrue();
    }

    @Test
    void exitsAtOnceWhenItsParentIsAlreadyGone() throws Exception {
        Process shortLived = new ProcessBuilder("true").start();
        assertThat(shortLived.waitFor(10, TimeUnit.SECONDS)).isTrue();

        child = startChildOf(shortLived.pid());

        assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(3);
    }

    private Path childLog() {
        return workDir.resolve("child.log");
    }

    private Process startChildOf(long parentPid) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                ExitWithParent.class.getName(), Long.toString(parentPid), WaitsAMinute.class.getName()))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(childLog().toFile())
                .start();
    }
}
