package io.otpflow.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a child process's log file from growing forever: the launcher appends to the same file at
 * every start, for as long as a developer keeps the data directory.
 */
final class LogRotation {

    private static final Logger log = LoggerFactory.getLogger(LogRotation.class);

    /** Logs larger than this are moved aside before the next start. */
    static final long MAX_BYTES = 20L * 1024 * 1024;

    private LogRotation() {
    }

    /** Moves {@code file} to {@code file.1} (replacing an older one) if it is larger than {@link #MAX_BYTES}. */
    static void rotateIfLarge(Path file) {
        try {
            if (Files.exists(file) && Files.size(file) > MAX_BYTES) {
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("Could not rotate the log file {}, so it keeps growing.", file, e);
        }
    }
}
