package io.otpflow.bench.micro;

import io.otpflow.common.CodeGenerator;
import io.otpflow.common.CodeMac;
import io.otpflow.common.SealedValue;
import io.otpflow.common.SecretBox;
import io.otpflow.common.TenantDirectory;
import java.util.Map;
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
 * The per-request cryptography: a code from SecureRandom (issuer, per send), its MAC (issuer per
 * send, gateway per check), sealing it for the dispatcher (issuer) and opening it (dispatcher), and
 * the SHA-256 the gateway takes of every API key and send fingerprint. TOTP (RFC 6238) is being
 * written in its own issue; its verify step belongs here once it has landed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBenchmarks {
  private static final String TENANT = "acme";
  private static final String ID = "VE0123456789abcdef0123456789abcdef";

  private CodeGenerator codes;
  private CodeMac codeMac;
  private SecretBox box;
  private SealedValue sealed;

  @Setup
  public void setUp() {
    codes = new CodeGenerator();
    codeMac = new CodeMac("0123456789abcdef0123456789abcdef".getBytes());
    box = new SecretBox(Map.of("k1", "fedcba9876543210fedcba9876543210".getBytes()));
    sealed = box.seal("493027", ID);
  }

  @Benchmark
  public String generateCode() {
    return codes.generate(6);
  }

  @Benchmark
  public String macCode() {
    return codeMac.mac(TENANT, ID, "493027");
  }

  @Benchmark
  public SealedValue sealCode() {
    return box.seal("493027", ID);
  }

  @Benchmark
  public String openCode() {
    return box.open(sealed, ID);
  }

  @Benchmark
  public String sha256ApiKey() {
    return TenantDirectory.sha256("bench_9bX2vYqL0aR7tKcM4nP8sWdE1fGhJ3");
  }
}
