package io.otpflow.testing;

import io.otpflow.embedded.RedisServer;

/**
 * A real Redis on a random port of 127.0.0.1 that persists nothing, for tests.
 *
 * <p>{@link #shared()} is one server for all tests of the JVM. It is never flushed or stopped by a
 * test: tests sharing it keep apart by using unique key prefixes or tenants
 * ({@link KafkaFixture#uniqueId(String)}). A test that takes Redis down, to see how a service copes
 * with an outage, uses its own server from {@link #startPrivate()} and closes it at the end.
 */
public final class RedisFixture implements AutoCloseable {

    private static RedisFixture shared;

    private final RedisServer server;
    private final boolean isShared;

    private RedisFixture(RedisServer server, boolean isShared) {
        this.server = server;
        this.isShared = isShared;
    }

    /** The server shared by all tests of this JVM, started on the first call, stopped at JVM exit. */
    public static synchronized RedisFixture shared() {
        if (shared == null) {
            shared = new RedisFixture(RedisServer.start(null, 0), true);
        }
        return shared;
    }

    /** A new server of the calling test's own, which it may stop, kill and start; close it when done. */
    public static RedisFixture startPrivate() {
        return new RedisFixture(RedisServer.start(null, 0), false);
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    /** The connection URI, e.g. {@code redis://127.0.0.1:6379}. */
    public String uri() {
        return server.uri();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    /** Stops a private server (SIGTERM); its port stays reserved for {@link #start()}. */
    public void stop() {
        requirePrivate("stop");
        server.stop();
    }

    /** Kills a private server (SIGKILL), as a crash would. */
    public void kill() {
        requirePrivate("kill");
        server.kill();
    }

    /** Starts a stopped private server again on the same port, returning once it answers. */
    public void start() {
        requirePrivate("start");
        server.start();
    }

    /** Stops a private server; does nothing for the shared one, so try-with-resources is safe on both. */
    @Override
    public void close() {
        if (!isShared) {
            server.stop();
        }
    }

    private void requirePrivate(String action) {
        if (isShared) {
            throw new UnsupportedOperationException("Tests must not " + action
                    + " the shared Redis that other tests use; take one from RedisFixture.startPrivate() instead.");
        }
    }
}
