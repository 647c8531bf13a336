package io.otpflow.gateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dev devices' routes answer only browsers on the gateway's own machine: a real HTTP server, and
 * real connections from the loopback address and from this machine's network address.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DevDevicesAccessTest {
  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.post("/dev/devices").handler(DevDevices::onlyFromThisMachine).handler(ctx -> ctx.response().end("added"));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "0.0.0.0").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aBrowserOnThisMachineMayAddADevice() throws Exception {
    assertThat(post(InetAddress.getLoopbackAddress())).startsWith("HTTP/1.1 200");
  }

  @Test
  void aBrowserElsewhereMayNotEvenWithTheFormToken() throws Exception {
    Optional<InetAddress> lan = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
    Assumptions.assumeTrue(lan.isPresent(), "this machine has no network address besides loopback");
    String response = post(lan.get());
    assertThat(response).startsWith("HTTP/1.1 403").contains("dev-devices-local-only").doesNotContain("added");
  }

  /** A form POST from {@code from} to the server on that same address; the raw response. */
  private String post(InetAddress from) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress(from, server.actualPort()), 5000);
      socket.setSoTimeout(10_000);
      String body = "tenant=acme&account=victim&platform=apns&token=whatever";
      OutputStream out = socket.getOutputStream();
      out.write(("POST /dev/devices HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n"
          + "content-length: " + body.length() + "\r\nconnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
