package io.otpflow.bench.micro;

import io.otpflow.common.PasswordHash;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one password check on the hosted sign-in page (and of one recovery-code check):
 * Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane). It is what bounds sign-ins per core,
 * and it is paid for unknown usernames too, so both answers take as long.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PasswordBenchmarks {
  private String stored;

  @Setup
  public void setUp() {
    stored = PasswordHash.OWASP.hash("correct horse battery staple");
  }

  @Benchmark
  public boolean verifyPassword() {
    return PasswordHash.verify(stored, "correct horse battery staple");
  }
}
