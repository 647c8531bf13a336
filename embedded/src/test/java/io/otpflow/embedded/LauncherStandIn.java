package io.otpflow.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * What {@code ./otpflow up} starts before its services, in a JVM a test can SIGKILL: the data folder
 * locked, a Redis with data in {@code <folder>/redis} and, with {@code kafka}, a Kafka broker.
 *
 * <p>Arguments: {@code <data folder> [kafka]}. Prints {@code ready <redis port>} once all is up.
 */
public final class LauncherStandIn {

    private LauncherStandIn() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path folder = Path.of(args[0]);
        DataFolderLock lock = DataFolderLock.acquire(folder);
        KafkaBroker kafka = args.length > 1 && args[1].equals("kafka") ? KafkaBroker.start(folder.resolve("kafka"), 0) : null;
        RedisServer redis = RedisServer.start(folder.resolve("redis"), 0);
        System.out.println("ready " + redis.port());
        System.out.flush();
        new CountDownLatch(1).await();
        redis.close();
        if (kafka != null) {
            kafka.close();
        }
        lock.close();
    }
}
