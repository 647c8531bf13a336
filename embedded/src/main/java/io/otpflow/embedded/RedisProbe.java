package io.otpflow.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks whatever Redis listens on a port whether it is ready and what its process id is, over a plain
 * socket so that this module needs no Redis client library.
 *
 * <p>The process id, rather than a PONG, tells whether the server that answers is the one just
 * started: if the port was taken by another Redis, that one would answer PING too. INFO is used
 * because it also says whether the server is still loading its data: Redis answers clients between
 * chunks of loading, and a server that answers while loading a broken append-only file exits right
 * after, so it must not count as ready.
 */
final class RedisProbe {

    private static final int TIMEOUT_MS = 1_000;
    private static final int MAX_REPLY_BYTES = 64 * 1024;
    private static final Pattern PROCESS_ID = Pattern.compile("process_id:(\\d+)");
    private static final Pattern LOADING = Pattern.compile("loading:(\\d)");

    private RedisProbe() {
    }

    /**
     * The process id of the server on 127.0.0.1:{@code port} if it has finished loading its data;
     * empty if nothing answers yet or the server is still loading.
     */
    static OptionalLong readyProcessId(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write("INFO\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = readBulkString(socket.getInputStream());
            Matcher processId = PROCESS_ID.matcher(reply);
            Matcher loading = LOADING.matcher(reply);
            boolean loaded = loading.find() && loading.group(1).equals("0");
            return loaded && processId.find() ? OptionalLong.of(Long.parseLong(processId.group(1))) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Reads a RESP bulk string ({@code $<length>\r\n<bytes>\r\n}); an error reply yields "". */
    private static String readBulkString(InputStream in) throws IOException {
        String header = readLine(in);
        if (!header.startsWith("$")) {
            return "";
        }
        int length = Integer.parseInt(header.substring(1));
        if (length < 0 || length > MAX_REPLY_BYTES) {
            return "";
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (line.size() > 256) {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
