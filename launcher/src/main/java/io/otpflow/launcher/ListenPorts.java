package io.otpflow.launcher;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fixed ports {@code ./otpflow up} will listen on, checked before Kafka and Redis start: Vert.x
 * would only fail once they are up, and the failure used to be a stack trace.
 */
final class ListenPorts {
  private static final String[] SERVICE_PORTS = {
      "OTPFLOW_ISSUER_PORT", "OTPFLOW_VERIFIER_PORT", "OTPFLOW_DISPATCHER_PORT", "OTPFLOW_PUSH_DISPATCHER_PORT"};

  private ListenPorts() {}

  /**
   * Refuses the start when a port is taken on {@code host}; port 0 means "any free port" and needs no check.
   *
   * @throws StartRefused naming the port, its variable and what to do
   */
  static void requireFree(String host, int gatewayPort, Map<String, String> env) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("OTPFLOW_GATEWAY_PORT", gatewayPort);
    for (String variable : SERVICE_PORTS) {
      ports.put(variable, Integer.parseInt(env.getOrDefault(variable, "0")));
    }
    ports.forEach((variable, port) -> {
      if (port != 0 && !isFree(host, port)) {
        throw new StartRefused("port " + port + " on " + host + " (" + variable + ") is already in use; stop what uses"
            + " it, or choose another port, e.g. " + variable + "=" + (port + 1) + " ./otpflow up");
      }
    });
  }

  /** Whether a failed start is a port taken after the check (another process was quicker). */
  static boolean isPortTaken(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as Vert.x binds: a port left in TIME_WAIT is not taken
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
