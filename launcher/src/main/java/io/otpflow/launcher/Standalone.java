package io.otpflow.launcher;

import io.otpflow.embedded.DataFolderLock;
import io.otpflow.embedded.KafkaBroker;
import io.otpflow.embedded.RedisServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./otpflow up}: a real Kafka broker (KRaft), a real Redis and every service, with state in
 * one folder (default ./.otpflow) so a restart keeps it, SMS and push going to a local outbox shown
 * at GET /dev/outbox. Ctrl-C stops everything, in reverse order.
 *
 * <p>Arguments: {@code [--ha] [data folder]}. With {@code --ha} the same platform runs on three
 * Kafka brokers with every service in its own JVM ({@link HaStandalone}); without it, on one broker
 * with every service in this JVM, which starts faster and uses less memory.
 *
 * <p>It refuses to start, with one line and exit code 1, when the data folder is in use by another
 * launcher or a port it needs is taken; both are checked before Kafka and Redis start.
 */
public final class Standalone {
  private static final Logger LOG = LoggerFactory.getLogger(Standalone.class);

  private Standalone() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (StartRefused e) {
      System.err.println("otpflow: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    boolean ha = false;
    String folder = System.getenv().getOrDefault("OTPFLOW_DATA_DIR", ".otpflow");
    for (String arg : args) {
      if (arg.equals("--ha")) {
        ha = true;
      } else if (arg.startsWith("-")) {
        System.err.println("Unknown option " + arg + "; usage: ./otpflow up [--ha] [data folder]");
        System.exit(2);
      } else {
        folder = arg;
      }
    }
    Path data = Path.of(folder).toAbsolutePath();
    DataFolderLock lock;
    try {
      lock = DataFolderLock.acquire(data);
    } catch (DataFolderLock.FolderInUseException e) {
      throw new StartRefused(e.getMessage());
    }
    long started = System.nanoTime();
    DemoSetup demo = DemoSetup.in(data);
    int gatewayPort = Integer.parseInt(System.getenv().getOrDefault("OTPFLOW_GATEWAY_PORT", "8080"));
    ListenPorts.requireFree(System.getenv().getOrDefault("OTPFLOW_HTTP_HOST", "127.0.0.1"), gatewayPort, System.getenv());
    if (ha) {
      HaStandalone.run(demo, started, lock);
    } else {
      runInOneJvm(demo, started, lock);
    }
  }

  private static void runInOneJvm(DemoSetup demo, long started, DataFolderLock lock) throws Exception {
    KafkaBroker kafka = KafkaBroker.start(demo.data().resolve("kafka"), 0, KafkaBroker.JvmProfile.THROUGHPUT);
    RedisServer redis = RedisServer.start(demo.data().resolve("redis"), 0);
    Map<String, String> env = demo.serviceEnv(kafka.bootstrapServers(), redis.uri());
    env.putIfAbsent("OTPFLOW_ISSUER_PORT", "0");
    env.putIfAbsent("OTPFLOW_VERIFIER_PORT", "0");
    env.putIfAbsent("OTPFLOW_DISPATCHER_PORT", "0");
    env.putIfAbsent("OTPFLOW_PUSH_DISPATCHER_PORT", "0");
    Platform platform;
    try {
      platform = Platform.start(env, Clock.systemUTC());
    } catch (Exception e) {
      redis.close();
      kafka.close();
      if (ListenPorts.isPortTaken(e)) {
        throw new StartRefused("a service could not listen on its port: " + e.getMessage());
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping otpflow.");
      platform.close();
      redis.close();
      kafka.close();
      lock.close();
      stopped.countDown();
    }, "otpflow-shutdown"));
    String gateway = "http://127.0.0.1:" + platform.gateway().httpPort();
    demo.createDemoUsers(gateway);
    printBanner(demo, started, gateway, new int[] {platform.gateway().managementPort(), platform.issuer().httpPort(),
        platform.verifier().httpPort(),
        platform.dispatcher().httpPort(), platform.push().httpPort()}, kafka.bootstrapServers(), redis.uri(), "");
    stopped.await();
  }

  /**
   * What both modes print once everything is up.
   *
   * @param ports the metrics ports of the gateway (its management port), issuer, verifier, SMS
   *     dispatcher and push dispatcher
   * @param processes extra lines (each ending in a line break) before the "Try" hint; empty for none
   */
  static void printBanner(DemoSetup demo, long started, String gateway, int[] ports, String kafka, String redis,
      String processes) {
    System.out.printf("""

        otpflow is up in %.1f s (data in %s)
          gateway      %s
          API key      %s   (demo tenant; fix it with OTPFLOW_DEMO_API_KEY)
          admin key    %s   (helpdesk actions; OTPFLOW_DEMO_ADMIN_KEY)
          sign in      %s/t/demo/sign-in  as admin / %s  or  alice / %s
          outbox       %s/dev/outbox.html  (SMS and push; simulated phones answer pushes there)
          metrics      http://127.0.0.1:%d/metrics  (the gateway's management port; issuer :%d, verifier :%d,
                       sms-dispatcher :%d, push-dispatcher :%d)
          Kafka        %s    Redis %s
        %s
        Try:  curl -s -X POST %s/v1/verifications -H 'Authorization: Bearer %s' \\
                -H 'Content-Type: application/json' -d '{"to": "+14155552671", "channel": "sms"}'
        Ctrl-C stops everything.
        %n""",
        (System.nanoTime() - started) / 1e9, demo.data(), gateway, demo.apiKey(), demo.adminKey(), gateway,
        demo.adminPassword(), demo.userPassword(), gateway, ports[0], ports[1], ports[2], ports[3], ports[4],
        kafka, redis, processes, gateway, demo.apiKey());
  }
}
