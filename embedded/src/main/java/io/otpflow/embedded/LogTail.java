package io.otpflow.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the last lines of a child process's log file, so that a failed start can say why it
 * failed without the developer having to go and find the file.
 */
final class LogTail {

    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {
    }

    /**
     * The last {@code lines} lines of {@code file} that report an error: a server that fails often
     * logs its reason long before the last lines, which are about shutting down.
     */
    static String errors(Path file, int lines) {
        String tail = of(file, 4000);
        List<String> errors = tail.lines().filter(line -> line.contains(" ERROR ") || line.contains("FATAL")
                || line.contains("Exception")).toList();
        return errors.isEmpty() ? "(no error lines)"
                : String.join(System.lineSeparator(), errors.subList(Math.max(0, errors.size() - lines), errors.size()));
    }

    /** Returns up to {@code lines} last lines of {@code file}, or a note when it cannot be read. */
    static String of(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no log file at " + file + ")";
            }
            byte[] bytes = Files.readAllBytes(file);
            int from = Math.max(0, bytes.length - MAX_BYTES);
            String text = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
            List<String> all = text.lines().toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }
}
