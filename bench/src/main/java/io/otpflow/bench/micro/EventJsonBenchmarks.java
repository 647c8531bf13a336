package io.otpflow.bench.micro;

import io.otpflow.common.Json;
import io.otpflow.common.SealedValue;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.events.VerificationView;
import java.time.Instant;
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
 * The event JSON of one send and one check, through the platform's one mapper: each record is
 * written by one service and read by another, so a send costs about one write and one read of each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventJsonBenchmarks {
  private static final String ID = "VE0123456789abcdef0123456789abcdef";

  private IssuerRequest.Send send;
  private byte[] sendJson;
  private IssuerReply created;
  private byte[] createdJson;
  private SmsDispatch dispatch;
  private byte[] dispatchJson;
  private CheckRequest check;
  private byte[] checkJson;
  private byte[] approvedJson;

  @Setup
  public void setUp() {
    Instant now = Instant.parse("2026-11-01T10:15:30.123456Z");
    send = new IssuerRequest.Send("8c2f5b0e-6a3d-4f7e-9b1c-2d4e6f8a0b1c", now, "acme", ID, "sms", "+14155552671",
        "user-42", "203.0.113.7", null, "3f5a9c2e7b1d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a",
        null, null, null, null);
    sendJson = Json.write(send);
    created = new IssuerReply.Created(new VerificationView(ID, "pending", "sms", "+141******71", "user-42", now,
        now.plusSeconds(300), "queued", 5), false);
    createdJson = Json.write(created);
    dispatch = new SmsDispatch("5d1e3f7a-2b4c-4d6e-8f0a-1b3c5d7e9f1a", now, "acme", ID, "+14155552671",
        new SealedValue("k1", "q83vEjRWeJq8", "9yQ2b3c4d5e6f7a8b9c0d1e2f3a4b5c6"),
        "Acme: your verification code is {code}. It expires in 5 minutes.", "+15005550006", now.plusSeconds(300));
    dispatchJson = Json.write(dispatch);
    check = new CheckRequest("7e9f1a3b-5c7d-4e9f-a1b3-c5d7e9f1a3b5", now, "acme", ID,
        "a3f5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5");
    checkJson = Json.write(check);
    approvedJson = Json.write(new CheckReply.Approved());
  }

  @Benchmark
  public byte[] writeSendRequest() {
    return Json.write(send);
  }

  @Benchmark
  public IssuerRequest readSendRequest() {
    return Json.read(sendJson, IssuerRequest.class);
  }

  @Benchmark
  public byte[] writeCreatedReply() {
    return Json.write(created);
  }

  @Benchmark
  public IssuerReply readCreatedReply() {
    return Json.read(createdJson, IssuerReply.class);
  }

  @Benchmark
  public byte[] writeSmsDispatch() {
    return Json.write(dispatch);
  }

  @Benchmark
  public SmsDispatch readSmsDispatch() {
    return Json.read(dispatchJson, SmsDispatch.class);
  }

  @Benchmark
  public byte[] writeCheckRequest() {
    return Json.write(check);
  }

  @Benchmark
  public CheckRequest readCheckRequest() {
    return Json.read(checkJson, CheckRequest.class);
  }

  @Benchmark
  public CheckReply readApprovedReply() {
    return Json.read(approvedJson, CheckReply.class);
  }
}
