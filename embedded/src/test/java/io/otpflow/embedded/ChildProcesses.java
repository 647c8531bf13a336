package io.otpflow.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/** Test JVMs started with this JVM's class path, and what they print into their log file. */
final class ChildProcesses implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^ready (\\d+)$", Pattern.MULTILINE);

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    ChildProcesses(Path dir) {
        this.dir = dir;
    }

    Process start(String name, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // A SIGKILLed child cannot delete its copy of the Redis binary: let it leave it in the test's folder.
                "-Djava.io.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"),
                ExitWithParent.class.getName(), Long.toString(ProcessHandle.current().pid()), mainClass.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log(name).toFile()).start();
        started.add(process);
        return process;
    }

    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Waits for the child's {@code ready <port>} line and returns the port. */
    int awaitReady(String name, Process process, Duration timeout) {
        int[] port = new int[1];
        Awaitility.await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited:\n" + LogTail.of(log(name), 40));
            }
            Matcher m = READY.matcher(Files.exists(log(name)) ? Files.readString(log(name)) : "");
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }

    /** Kills every child, and whatever each left running. */
    @Override
    public void close() {
        for (Process process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
