package io.otpflow.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Locks the folder given as argument, prints {@code ready 0}, and holds it until killed. */
public final class HoldsDataFolderLock {

    private HoldsDataFolderLock() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (DataFolderLock lock = DataFolderLock.acquire(Path.of(args[0]))) {
            System.out.println("ready 0");
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }
}
