package io.otpflow.embedded;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of the child JVMs started by this module: it runs the real main class, and exits the
 * child as soon as the parent JVM is gone.
 *
 * <p>Shutdown hooks in the parent cover a normal exit and Ctrl-C, but not a parent that is killed
 * with SIGKILL or crashes (an IDE "stop" button, a surefire fork timeout). Without this watch such a
 * child would keep running and hold its ports and data directory. {@code System.exit} still runs the
 * child's own shutdown hooks, so Kafka shuts down cleanly.
 *
 * <p>Arguments: {@code <parent pid> <main class> [main args...]}.
 */
public final class ExitWithParent {

    private ExitWithParent() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("Usage: ExitWithParent <parent pid> <main class> [args...]");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        watchParent(parentPid);
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watchParent(long parentPid) {
        var parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            System.err.println("Parent process " + parentPid + " is already gone, so this child exits.");
            System.exit(3);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("Parent process " + parentPid + " exited, so this child exits too.");
            System.exit(0);
        });
    }
}
