package io.otpflow.gateway.store;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A bounded, in-memory limit of requests per client address, for the one route anyone may call
 * without an API key (a device's answer): a token bucket per address that holds {@code perMinute}
 * requests and refills at that rate. It lives in one gateway instance's memory: with N instances a
 * client gets up to N times the limit. IPv6 clients count per /64 (one subscriber holds a whole /64).
 *
 * <p>At most {@code maxClients} addresses are tracked. When the table is full, idle buckets (full
 * again) are dropped, at most once a second so a flood cannot make every request scan the table;
 * if it is still full, addresses not yet tracked share one bucket: memory stays bounded, clients
 * already tracked keep their own limit, and a flood from many addresses adds at most one limit's worth.
 */
public final class AnswerRateLimit {
  public static final int MAX_CLIENTS = 100_000;
  private static final String OVERFLOW = "overflow";
  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
  /** Hex digits and colons (at least two), optionally an embedded IPv4 address: what an IPv6 literal looks like. */
  private static final Pattern IPV6 = Pattern.compile("(?=.*:.*:)[0-9a-fA-F:.]{2,45}");

  private final int perMinute;
  private final int maxClients;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong lastPurge;

  /**
   * @param perMinute requests one address may make per minute (and at once), at least 1
   * @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  public AnswerRateLimit(int perMinute, int maxClients, LongSupplier nanos) {
    if (perMinute < 1 || maxClients < 1) {
      throw new IllegalArgumentException("The limit and the number of clients must be positive.");
    }
    this.perMinute = perMinute;
    this.maxClients = maxClients;
    this.nanos = nanos;
    this.lastPurge = new AtomicLong(nanos.getAsLong());
  }

  /** Takes one request of {@code client}'s allowance: zero when admitted, else how long until it may retry. */
  public Duration acquire(String client) {
    long now = nanos.getAsLong();
    String key = subject(client);
    Bucket bucket = buckets.get(key);
    if (bucket == null) {
      if (buckets.size() >= maxClients) {
        purgeIdle(now);
      }
      bucket = buckets.size() < maxClients ? buckets.computeIfAbsent(key, k -> new Bucket(now))
          : buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(now));
    }
    return bucket.take(now, perMinute);
  }

  /** Addresses tracked now (for tests and the bound). */
  int tracked() {
    return buckets.size();
  }

  private void purgeIdle(long now) {
    long last = lastPurge.get();
    if (now - last >= TimeUnit.SECONDS.toNanos(1) && lastPurge.compareAndSet(last, now)) {
      buckets.values().removeIf(b -> b.idleSince(now));
    }
  }

  /**
   * The address a request counts for: the TCP peer, or, when the peer is one of {@code trustedProxies}
   * (canonical, see {@link #canonical}), the rightmost address in {@code X-Forwarded-For} that is not a
   * trusted proxy (each proxy appends the address it saw; entries left of the first untrusted one are
   * the client's to invent). An entry there that is not a plain IP address counts as the peer itself.
   */
  public static String clientOf(String peer, String forwardedFor, Set<String> trustedProxies) {
    String from = canonical(peer) != null ? canonical(peer) : String.valueOf(peer);
    if (forwardedFor == null || !trustedProxies.contains(from)) {
      return from;
    }
    String[] hops = forwardedFor.split(",", 64);
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = canonical(hops[i].strip());
      if (hop == null) {
        return from;
      }
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return from;
  }

  /**
   * One spelling per IP address (IPv6 in full, an IPv4-mapped one as IPv4), or null when the text is
   * not a plain IPv4 or IPv6 address. Only literals are parsed, so this never does a DNS lookup.
   */
  public static String canonical(String text) {
    if (text == null) {
      return null;
    }
    if (IPV4.matcher(text).matches()) {
      return text;
    }
    if (!IPV6.matcher(text).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * IPv4 addresses count one by one, IPv6 addresses by their /64 (one host usually has a whole /64, so
   * counting its addresses one by one would give it 2^64 budgets); anything else as it is. Also the
   * subject of the hosted sign-in's per-address limit.
   */
  public static String subject(String address) {
    String canonical = canonical(address);
    if (canonical == null || canonical.indexOf(':') < 0) {
      return canonical != null ? canonical : String.valueOf(address);
    }
    try {
      byte[] prefix = Arrays.copyOf(InetAddress.getByName(canonical).getAddress(), 16);
      Arrays.fill(prefix, 8, 16, (byte) 0);
      return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
    } catch (UnknownHostException e) {
      return canonical;
    }
  }

  /**
   * A token bucket, kept as the generic cell rate algorithm in whole nanoseconds: {@code due} is when
   * the bucket would be full again; a request is admitted while that is at most a full bucket's worth
   * of intervals ahead. Its methods hold its lock, so one address's requests never race each other.
   */
  private static final class Bucket {
    private long due;

    Bucket(long now) {
      due = now;
    }

    synchronized Duration take(long now, int perMinute) {
      long interval = MINUTE_NANOS / perMinute;
      long tolerance = interval * (perMinute - 1);
      long from = Math.max(due, now);
      if (from - now > tolerance) {
        return Duration.ofNanos(from - now - tolerance);
      }
      due = from + interval;
      return Duration.ZERO;
    }

    /** Full again: the same as no bucket at all. */
    synchronized boolean idleSince(long now) {
      return due <= now;
    }
  }
}
