package io.otpflow.embedded;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A stand-in for a server's main class in {@link ExitWithParentTest}: it idles for up to a minute. */
public final class WaitsAMinute {

    private WaitsAMinute() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("Waiting for up to a minute.");
        new CountDownLatch(1).await(1, TimeUnit.MINUTES);
    }
}
