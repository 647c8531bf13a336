package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks a TCP port on the loopback interface that nobody listens on right now.
 *
 * <p>Servers started in a child process cannot report back which port the OS gave them, so the
 * port is chosen here, released, and handed to the child. There is a short window in which another
 * process could take it; on a developer machine or CI runner that is rare enough to accept.
 */
final class FreePort {

    private FreePort() {
    }

    /** Returns a port that was free on 127.0.0.1 at the moment of the call. */
    static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free TCP port on 127.0.0.1", e);
        }
    }

    /**
     * Whether nobody listens on 127.0.0.1:{@code port}. Checked before a server is started so that
     * a taken port fails fast with a clear message, instead of the readiness check talking to
     * whatever already listens there.
     */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Returns {@code requested} unless it is 0, in which case a free port is picked. */
    static int orPick(int requested) {
        if (requested < 0 || requested > 65535) {
            throw new IllegalArgumentException("Port must be between 0 and 65535 but was " + requested);
        }
        return requested == 0 ? pick() : requested;
    }
}
