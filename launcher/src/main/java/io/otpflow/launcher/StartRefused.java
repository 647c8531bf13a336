package io.otpflow.launcher;

/** A start of {@code ./otpflow up} that cannot work, said in one line: no stack trace, nothing left running. */
final class StartRefused extends RuntimeException {
  StartRefused(String message) {
    super(message);
  }
}
