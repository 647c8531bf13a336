package io.otpflow.launcher;

import io.otpflow.embedded.DataFolderLock;
import io.otpflow.embedded.EmbeddedRedisCluster;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.KafkaCluster;
import io.otpflow.embedded.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./otpflow up --ha}: the platform as it runs in production, on one machine. Three Kafka
 * brokers (one controller quorum; topics with replication factor 3 and min.insync.replicas 2), Redis,
 * and each of the five services in its own JVM with its own log file under {@code <data>/logs/}.
 *
 * <p>Any process may be killed by hand to watch the rest cope; the launcher starts a dead broker or
 * service again after {@link #RESTART_DELAY}, as an orchestrator would. Every child exits with the
 * launcher, even when the launcher is SIGKILLed (the child JVMs watch their parent).
 */
final class HaStandalone {
  private static final Logger LOG = LoggerFactory.getLogger(HaStandalone.class);
  static final int BROKERS = 3;
  /** Five JVMs start at once: on two busy cores that can take a minute or two. */
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  /** Like an orchestrator's back-off, and long enough to see what the others do while one is gone. */
  static final Duration RESTART_DELAY = Duration.ofSeconds(5);

  private final AtomicBoolean stopping = new AtomicBoolean();
  /** A thread per restart: a broker's restart blocks until it is ready, and must not hold up another. */
  private final Executor restarts = CompletableFuture.delayedExecutor(RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS,
      task -> Thread.ofVirtual().name("otpflow-ha-restart").start(task));

  private HaStandalone() {}

  /**
   * The Redis the HA mode runs on, and how services reach it.
   *
   * @param url the services' REDIS_URL
   * @param description what runs, for the banner
   */
  record HaRedis(String url, String description, AutoCloseable stopper, List<RedisServer> nodes) {}

  /**
   * The one place that decides which Redis the HA mode gets: a Redis Cluster of 3 masters with a
   * replica each, in its own folder (so the single-node mode's data is left alone). A master that is
   * unreachable for 2 s is replaced by its replica.
   */
  static HaRedis startRedis(Path data) {
    EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(data.resolve("redis-cluster"), 3, 1, Duration.ofSeconds(2));
    String ports = cluster.nodes().stream().map(n -> Integer.toString(n.port())).collect(Collectors.joining(","));
    return new HaRedis(cluster.url(), "cluster of 3 masters + 3 replicas, ports " + ports, cluster::close,
        cluster.nodes());
  }

  static void run(DemoSetup demo, long started, DataFolderLock lock) throws Exception {
    new HaStandalone().start(demo, started, lock);
  }

  private void start(DemoSetup demo, long started, DataFolderLock lock) throws Exception {
    Path data = demo.data();
    KafkaCluster kafka = KafkaCluster.start(data.resolve("kafka-ha"), BROKERS, KafkaBroker.JvmProfile.THROUGHPUT);
    HaRedis redis;
    try {
      redis = startRedis(data);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    Map<String, String> env = demo.serviceEnv(kafka.bootstrapServers(), redis.url());
    // Fixed rather than derived: a service that starts while one broker is restarting must not make smaller topics.
    env.putIfAbsent("KAFKA_REPLICATION_FACTOR", "3");
    env.putIfAbsent("KAFKA_MIN_INSYNC_REPLICAS", "2");
    // The gateway's /metrics port, chosen here so the banner can name it (another JVM cannot report it).
    env.put("OTPFLOW_MANAGEMENT_PORT", Integer.toString(port(env, "OTPFLOW_MANAGEMENT_PORT")));
    List<ServiceProcess> services = services(demo, env, Files.createDirectories(data.resolve("logs")));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping otpflow (HA mode).");
      stopping.set(true);
      services.parallelStream().forEach(s -> s.stop(STOP_GRACE));
      try {
        redis.stopper().close();
      } catch (Exception e) {
        LOG.warn("Could not stop Redis cleanly.", e);
      }
      kafka.close();
      lock.close();
      stopped.countDown();
    }, "otpflow-ha-shutdown"));
    services.forEach(ServiceProcess::start);
    for (ServiceProcess service : services) {
      service.awaitReady(READY_TIMEOUT);
    }
    services.forEach(this::restartWhenDead);
    kafka.nodes().forEach(this::restartWhenDead);
    redis.nodes().forEach(this::restartWhenDead);
    String gateway = "http://127.0.0.1:" + services.get(4).port();
    demo.createDemoUsers(gateway);
    Standalone.printBanner(demo, started, gateway, new int[] {Integer.parseInt(env.get("OTPFLOW_MANAGEMENT_PORT")),
        services.get(0).port(), services.get(1).port(),
        services.get(2).port(), services.get(3).port()}, kafka.bootstrapServers(), redis.description(),
        processes(kafka, redis, services, data));
    stopped.await();
  }

  /** The five services, the gateway last (its operator page reads the others' metrics). */
  private static List<ServiceProcess> services(DemoSetup demo, Map<String, String> env, Path logs) {
    int issuer = port(env, "OTPFLOW_ISSUER_PORT");
    int verifier = port(env, "OTPFLOW_VERIFIER_PORT");
    int sms = port(env, "OTPFLOW_DISPATCHER_PORT");
    int push = port(env, "OTPFLOW_PUSH_DISPATCHER_PORT");
    int gateway = port(env, "OTPFLOW_GATEWAY_PORT");
    Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.putIfAbsent("OTPFLOW_METRICS_SOURCES", String.join(",", metricsUrl(issuer), metricsUrl(verifier),
        metricsUrl(sms), metricsUrl(push)));
    Path work = demo.data();
    List<ServiceProcess> services = new ArrayList<>();
    services.add(new ServiceProcess("otp-issuer", "io.otpflow.issuer.Main", issuer, withPort(env, issuer), work, logs));
    services.add(new ServiceProcess("verifier", "io.otpflow.verifier.Main", verifier, withPort(env, verifier), work, logs));
    services.add(new ServiceProcess("sms-dispatcher", "io.otpflow.sms.Main", sms, withPort(env, sms), work, logs));
    services.add(new ServiceProcess("push-dispatcher", "io.otpflow.push.Main", push, withPort(env, push), work, logs));
    services.add(new ServiceProcess("gateway", "io.otpflow.gateway.Main", gateway, withPort(gatewayEnv, gateway), work, logs));
    return services;
  }

  private void restartWhenDead(ServiceProcess service) {
    Process process = service.process();
    process.onExit().thenRun(() -> {
      if (stopping.get()) {
        return;
      }
      LOG.warn("{} (pid {}) exited with code {}; starting it again in {} s.", service.name(), process.pid(),
          process.exitValue(), RESTART_DELAY.toSeconds());
      CompletableFuture.runAsync(() -> {
        if (!stopping.get()) {
          service.start();
          restartWhenDead(service);
        }
      }, restarts);
    });
  }

  private void restartWhenDead(KafkaBroker broker) {
    long pid = broker.pid();
    ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().thenRun(() -> {
      if (stopping.get()) {
        return;
      }
      LOG.warn("Kafka broker {} (pid {}) exited; starting it again in {} s.", broker.nodeId(), pid, RESTART_DELAY.toSeconds());
      CompletableFuture.runAsync(() -> {
        if (!stopping.get()) {
          broker.restart();
          restartWhenDead(broker);
        }
      }, restarts).exceptionally(e -> {
        LOG.error("Kafka broker {} did not start again; see {}.", broker.nodeId(), broker.dataDir().resolve("kafka.log"), e);
        return null;
      });
    }));
  }

  /**
   * A killed Redis node comes back on its port and data, as an orchestrator would restart it: a
   * killed master returns as its successor's replica, which decisions need (REDIS_WAIT_REPLICAS=1).
   */
  private void restartWhenDead(RedisServer node) {
    long pid = node.pid();
    ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().thenRun(() -> {
      if (stopping.get()) {
        return;
      }
      LOG.warn("redis-server on port {} (pid {}) exited; starting it again in {} s.", node.port(), pid,
          RESTART_DELAY.toSeconds());
      CompletableFuture.runAsync(() -> {
        if (!stopping.get()) {
          node.start();
          restartWhenDead(node);
        }
      }, restarts).exceptionally(e -> {
        LOG.error("redis-server on port {} did not start again.", node.port(), e);
        return null;
      });
    }));
  }

  private static String processes(KafkaCluster kafka, HaRedis redis, List<ServiceProcess> services, Path data) {
    StringBuilder text = new StringBuilder("  processes    (kill -9 one to try failover: it is started again after "
        + RESTART_DELAY.toSeconds() + " s; logs in " + data.resolve("logs") + ")\n");
    for (KafkaBroker node : kafka.nodes()) {
      text.append(String.format("    %-16s pid %-8d %s%n", "kafka-" + node.nodeId(), node.pid(), node.bootstrapServers()));
    }
    for (RedisServer node : redis.nodes()) {
      text.append(String.format("    %-16s pid %-8d %s:%d%n", "redis", node.pid(), node.host(), node.port()));
    }
    for (ServiceProcess service : services) {
      text.append(String.format("    %-16s pid %-8d :%d%n", service.name(), service.process().pid(), service.port()));
    }
    return text.toString();
  }

  private static Map<String, String> withPort(Map<String, String> env, int port) {
    Map<String, String> own = new HashMap<>(env);
    own.put("OTPFLOW_HTTP_PORT", Integer.toString(port));
    return own;
  }

  /** The port a variable names, or a free one: a service in another JVM cannot report the port it got. */
  private static int port(Map<String, String> env, String variable) {
    int configured = Integer.parseInt(env.getOrDefault(variable, "0"));
    if (configured != 0) {
      return configured;
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port for " + variable, e);
    }
  }

  private static String metricsUrl(int port) {
    return "http://127.0.0.1:" + port + "/metrics";
  }
}
