package io.otpflow.bench;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One request of a run. Its latencies are measured from {@link #intendedNanos}, the time the schedule
 * meant it to go out, not from when it actually went: a stalled system or a late generator cannot
 * hide its delay (no coordinated omission). A request is done when its answer came and every stage
 * it expects (such as "the provider got the SMS") was reached.
 */
final class Request {
  static final String ANSWER = "answer";

  private final Run run;
  final long seq;
  final long intendedNanos;
  final boolean measured;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicInteger open = new AtomicInteger(1);
  /** Free for the target: what it needs to match a later event (a phone number, a fixture). */
  volatile Object attachment;
  /** Run once the answer (good or bad) is in; the closed loop sends its next request from here. */
  private final AtomicReference<Runnable> onAnswer = new AtomicReference<>();

  Request(Run run, long seq, long intendedNanos, boolean measured) {
    this.run = run;
    this.seq = seq;
    this.intendedNanos = intendedNanos;
    this.measured = measured;
  }

  /** Call before fire() returns: this request is done only once {@link #reached(String)} is also called. */
  void expectStage() {
    open.incrementAndGet();
  }

  /** The answer came and was what it should be. */
  void ok() {
    if (answered.compareAndSet(false, true)) {
      run.record(ANSWER, this);
      run.count("ok");
      part();
      answeredNow();
    }
  }

  /** The answer was wrong or never came (a timeout the target noticed): counted as an error. */
  void fail(String reason) {
    if (answered.compareAndSet(false, true)) {
      run.count("error:" + reason);
      finish();
      answeredNow();
    }
  }

  /** Counts something worth reporting about this request that is neither success nor error. */
  void note(String what) {
    run.count("note:" + what);
  }

  void onAnswer(Runnable action) {
    onAnswer.set(action);
    if (answered.get()) {
      answeredNow();
    }
  }

  private void answeredNow() {
    Runnable action = onAnswer.getAndSet(null);
    if (action != null) {
      action.run();
    }
  }

  /** A later stage of the same request happened now (for example the SMS reached the provider). */
  void reached(String stage) {
    run.record(stage, this);
    part();
  }

  boolean answered() {
    return answered.get();
  }

  private void part() {
    if (open.decrementAndGet() == 0) {
      finish();
    }
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      run.finished(this);
    }
  }
}
