package io.otpflow.embedded;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one command to the Redis on 127.0.0.1:{@code port} over a plain socket and returns its
 * reply as text, so this module can set up a cluster without a Redis client library (see
 * {@link RedisProbe} for why). Only the reply kinds the cluster commands answer with are read:
 * simple strings, errors, integers and bulk strings.
 */
final class RedisCall {

    private static final int TIMEOUT_MS = 5_000;
    private static final int MAX_REPLY_BYTES = 1024 * 1024;

    private RedisCall() {
    }

    /**
     * @throws IllegalStateException when Redis answers with an error (the message is Redis's)
     * @throws UncheckedIOException when nothing answers on the port
     */
    static String send(int port, String... command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(encode(command));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()), port, command[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis at 127.0.0.1:" + port + " did not answer " + command[0], e);
        }
    }

    private static byte[] encode(String... command) {
        StringBuilder resp = new StringBuilder("*").append(command.length).append("\r\n");
        for (String part : command) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readReply(InputStream in, int port, String command) throws IOException {
        String line = readLine(in);
        if (line.isEmpty()) {
            throw new IOException("Redis at 127.0.0.1:" + port + " closed the connection");
        }
        return switch (line.charAt(0)) {
            case '+', ':' -> line.substring(1);
            case '-' -> throw new IllegalStateException(
                    "Redis at 127.0.0.1:" + port + " refused " + command + ": " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    yield "";
                }
                if (length > MAX_REPLY_BYTES) {
                    throw new IOException("Redis at 127.0.0.1:" + port + " answered " + length + " bytes");
                }
                byte[] body = in.readNBytes(length + 2);
                yield new String(body, 0, length, StandardCharsets.UTF_8);
            }
            default -> throw new IOException("Unexpected reply from Redis at 127.0.0.1:" + port + ": " + line);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
