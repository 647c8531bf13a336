package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a Java main class in a separate JVM that uses the same Java installation and the same
 * class path as this one.
 *
 * <p>A separate JVM lets tests and the launcher stop, kill and restart a server for real (its
 * threads, sockets and file locks all go away), which an in-process server cannot do reliably. The
 * child is wrapped in {@link ExitWithParent} so it never outlives this JVM. Its stdout and stderr
 * are appended to a log file, because nobody reads them live and an unread pipe would eventually
 * block the child. The launcher's HA mode runs each otpflow service this way too.
 *
 * @param mainClass class whose {@code main} the child runs
 * @param jvmOptions options such as heap size and system properties
 * @param workDir working directory of the child
 * @param logFile file that receives the child's stdout and stderr
 */
public record ChildJvm(String mainClass, List<String> jvmOptions, Path workDir, Path logFile) {

    public ChildJvm {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** Starts the child with the given program arguments and this JVM's environment. */
    public Process start(List<String> args) {
        return start(args, Map.of());
    }

    /**
     * Starts the child with the given program arguments, and this JVM's environment with
     * {@code environment} added (its values win).
     */
    public Process start(List<String> args, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ExitWithParent.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        LogRotation.rotateIfLarge(logFile);
        try {
            Process process = builder.start();
            process.getOutputStream().close(); // the child reads no input
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a child JVM for " + mainClass, e);
        }
    }

    private static String javaBinary() {
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java").toString();
    }
}
