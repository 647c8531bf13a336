package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DataFolderLockTest {
    @TempDir
    Path dir;

    private ChildProcesses children;

    @AfterEach
    void killChildren() {
        if (children != null) {
            children.close();
        }
    }

    @Test
    void aFolderLockedByAnotherProcessIsRefusedUntilThatProcessIsKilled() throws Exception {
        Path folder = dir.resolve("data");
        children = new ChildProcesses(dir);
        Process holder = children.start("holder", HoldsDataFolderLock.class, folder.toString());
        children.awaitReady("holder", holder, Duration.ofSeconds(60));

        assertThatThrownBy(() -> DataFolderLock.acquire(folder))
                .isInstanceOf(DataFolderLock.FolderInUseException.class)
                .hasMessageContaining(folder.toString())
                .hasMessageContaining("pid " + holder.pid())
                .hasMessageContaining("OTPFLOW_DATA_DIR");

        holder.destroyForcibly(); // SIGKILL: the OS releases its lock, nobody deletes a file
        assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

        try (DataFolderLock lock = DataFolderLock.acquire(folder)) {
            assertThat(folder.resolve(DataFolderLock.FILE_NAME)).content().contains(Long.toString(ProcessHandle.current().pid()));
        }
    }

    @Test
    void aSecondLockFromTheSameJvmIsRefusedAndTheFolderIsFreeAfterClose() {
        try (DataFolderLock first = DataFolderLock.acquire(dir)) {
            assertThatThrownBy(() -> DataFolderLock.acquire(dir)).isInstanceOf(DataFolderLock.FolderInUseException.class);
        }
        DataFolderLock.acquire(dir).close();
    }
}
