package io.otpflow.common;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import redis.clients.jedis.HostAndPort;

/**
 * Where Redis is, parsed from {@code REDIS_URL}: one server, a Redis Cluster, or a master found
 * through Sentinel. The forms ({@code rediss} instead of {@code redis} for TLS):
 *
 * <pre>
 * redis://[user:password@]host[:port][/db]
 * redis-cluster://[user:password@]host1:port1,host2:port2[,…]
 * redis-sentinel://[user:password@]sentinel1:port1,sentinel2:port2[,…]/master-name[/db]
 * </pre>
 *
 * The credentials are those of the data nodes. {@code toString()} never shows the password.
 */
public sealed interface RedisEndpoint {
  int REDIS_PORT = 6379;
  int SENTINEL_PORT = 26379;

  String FORMS = "redis://[user:password@]host[:port][/db], redis-cluster://[user:password@]host1:port1,host2:port2"
      + " or redis-sentinel://[user:password@]sentinel1:port1,sentinel2:port2/master-name[/db]"
      + " (rediss, rediss-cluster, rediss-sentinel for TLS)";

  boolean tls();

  Credentials credentials();

  /** The URL with the password replaced, for logs. */
  String safeUrl();

  /** How many replicas a deciding write waits for when REDIS_WAIT_REPLICAS is not set. */
  int defaultWaitReplicas();

  /** User (null for the default user) and password (null for none); toString hides the password. */
  record Credentials(String user, String password) {
    static final Credentials NONE = new Credentials(null, null);

    @Override
    public String toString() {
      return password == null ? "none" : (user == null ? "" : user + ":") + "***";
    }

    String prefix() {
      return password == null ? "" : (user == null ? "" : user + ":") + "***@";
    }
  }

  /** One server: development, or a managed Redis that fails over behind one address. */
  record Single(HostAndPort node, boolean tls, Credentials credentials, int database) implements RedisEndpoint {
    @Override
    public String safeUrl() {
      return (tls ? "rediss" : "redis") + "://" + credentials.prefix() + node + (database == 0 ? "" : "/" + database);
    }

    @Override
    public int defaultWaitReplicas() {
      return 0;
    }
  }

  /** A Redis Cluster, reached through any of its seed nodes; it has only database 0. */
  record Cluster(Set<HostAndPort> seeds, boolean tls, Credentials credentials) implements RedisEndpoint {
    @Override
    public String safeUrl() {
      return (tls ? "rediss" : "redis") + "-cluster://" + credentials.prefix() + join(seeds);
    }

    @Override
    public int defaultWaitReplicas() {
      return 1;
    }
  }

  /** A master and its replicas, which Sentinel watches and promotes. */
  record Sentinel(Set<HostAndPort> sentinels, String master, boolean tls, Credentials credentials, int database)
      implements RedisEndpoint {
    @Override
    public String safeUrl() {
      return (tls ? "rediss" : "redis") + "-sentinel://" + credentials.prefix() + join(sentinels) + "/" + master
          + (database == 0 ? "" : "/" + database);
    }

    @Override
    public int defaultWaitReplicas() {
      return 1;
    }
  }

  /** @throws IllegalArgumentException saying what is wrong, never repeating the password */
  static RedisEndpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw invalid("it is empty");
    }
    int sep = url.indexOf("://");
    if (sep < 0) {
      throw invalid("it has no scheme");
    }
    String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = url.substring(sep + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    List<String> path = slash < 0 ? List.of() : List.of(rest.substring(slash + 1).split("/", -1));
    int at = authority.lastIndexOf('@');
    Credentials credentials = at < 0 ? Credentials.NONE : credentials(authority.substring(0, at));
    String hosts = authority.substring(at + 1);
    return switch (scheme) {
      case "redis", "rediss" -> {
        Set<HostAndPort> nodes = nodes(hosts, REDIS_PORT);
        if (nodes.size() != 1) {
          throw invalid("redis:// takes one host; use redis-cluster:// or redis-sentinel:// for several");
        }
        yield new Single(nodes.iterator().next(), scheme.equals("rediss"), credentials, database(path, 0));
      }
      case "redis-cluster", "rediss-cluster" -> {
        if (!path.isEmpty() && !(path.size() == 1 && (path.get(0).isEmpty() || path.get(0).equals("0")))) {
          throw invalid("a Redis Cluster has only database 0, so redis-cluster:// takes no /db");
        }
        yield new Cluster(nodes(hosts, REDIS_PORT), scheme.startsWith("rediss"), credentials);
      }
      case "redis-sentinel", "rediss-sentinel" -> {
        if (path.isEmpty() || path.get(0).isBlank()) {
          throw invalid("redis-sentinel:// needs the master's name after the sentinels (…/mymaster)");
        }
        yield new Sentinel(nodes(hosts, SENTINEL_PORT), path.get(0), scheme.startsWith("rediss"), credentials,
            database(path, 1));
      }
      default -> throw invalid("the scheme '" + scheme + "' is none of redis, rediss, redis-cluster,"
          + " rediss-cluster, redis-sentinel, rediss-sentinel");
    };
  }

  private static Credentials credentials(String userInfo) {
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? null : decode(userInfo.substring(0, colon));
    String password = decode(colon < 0 ? userInfo : userInfo.substring(colon + 1));
    if (password.isEmpty()) {
      throw invalid("it has an '@' but no password before it");
    }
    return new Credentials(user == null || user.isEmpty() ? null : user, password);
  }

  private static Set<HostAndPort> nodes(String hosts, int defaultPort) {
    List<HostAndPort> nodes = new ArrayList<>();
    for (String node : hosts.split(",", -1)) {
      nodes.add(node(node.trim(), defaultPort));
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(nodes));
  }

  private static HostAndPort node(String node, int defaultPort) {
    if (node.isEmpty()) {
      throw invalid("a host is missing (an empty entry between commas?)");
    }
    String host = node;
    String port = null;
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      if (close < 0) {
        throw invalid("the IPv6 address '" + node + "' has no closing ']'");
      }
      host = node.substring(1, close);
      if (close + 1 < node.length()) {
        if (node.charAt(close + 1) != ':') {
          throw invalid("'" + node + "' is not [address]:port");
        }
        port = node.substring(close + 2);
      }
    } else if (node.indexOf(':') >= 0) {
      host = node.substring(0, node.lastIndexOf(':'));
      port = node.substring(node.lastIndexOf(':') + 1);
    }
    if (host.isEmpty() || host.indexOf(':') >= 0 && !node.startsWith("[")) {
      throw invalid("'" + node + "' is not host[:port]");
    }
    return new HostAndPort(host, port == null ? defaultPort : number(port, "port", 1, 65_535));
  }

  private static int database(List<String> path, int index) {
    if (path.size() > index + 1) {
      throw invalid("its path has more parts than expected");
    }
    return path.size() <= index || path.get(index).isEmpty() ? 0 : number(path.get(index), "database", 0, 65_535);
  }

  private static int number(String text, String what, int min, int max) {
    try {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("the " + what + " '" + text + "' is not a number from " + min + " to " + max);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String join(Set<HostAndPort> nodes) {
    return String.join(",", nodes.stream().map(HostAndPort::toString).toList());
  }

  private static IllegalArgumentException invalid(String why) {
    return new IllegalArgumentException("REDIS_URL is not valid: " + why + ". Expected " + FORMS + ".");
  }
}
