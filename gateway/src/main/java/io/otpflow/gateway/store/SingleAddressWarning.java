package io.otpflow.gateway.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator, once, when every sign-in comes from one private address while no proxy is
 * trusted: that is almost always a reverse proxy whose address is not in {@code OTPFLOW_TRUSTED_PROXIES},
 * so every limit kept per client address (the password's waits, device answers) counts all users
 * as one. Watching stops at the first other address, at a public address, or after the warning.
 */
final class SingleAddressWarning {
  private static final Logger LOG = LoggerFactory.getLogger(SingleAddressWarning.class);
  /** Sign-ins from the same private address before the warning: a few are a developer on their laptop. */
  static final int AFTER = 20;

  private final AtomicBoolean done;
  private final AtomicReference<String> first = new AtomicReference<>();
  private final AtomicInteger seen = new AtomicInteger();

  SingleAddressWarning(boolean proxiesTrusted) {
    this.done = new AtomicBoolean(proxiesTrusted);
  }

  void observe(String ip) {
    if (done.get()) {
      return;
    }
    if (!isPrivate(ip) || !ip.equals(first.updateAndGet(f -> f == null ? ip : f))) {
      done.set(true); // clients reach this gateway directly: nothing to warn about
      return;
    }
    if (seen.incrementAndGet() >= AFTER && done.compareAndSet(false, true)) {
      LOG.warn("Every one of the last {} sign-ins came from the private address {} and OTPFLOW_TRUSTED_PROXIES is empty."
          + " If that is a reverse proxy, set OTPFLOW_TRUSTED_PROXIES to its address: until then the limits kept per"
          + " client address (failed passwords, device answers) count all your users as one client.", AFTER, ip);
    }
  }

  /** Loopback, link-local, RFC 1918 and IPv6 unique-local addresses; a literal only (no name is looked up). */
  static boolean isPrivate(String ip) {
    // Only IP literals reach getByName, which then looks nothing up.
    if (ip == null || !(ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || ip.matches("[0-9A-Fa-f.:]*:[0-9A-Fa-f.:]*"))) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByName(ip);
      byte[] b = a.getAddress();
      return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
          || (b.length == 16 && (b[0] & 0xfe) == 0xfc);
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
