package io.otpflow.common;

/** A record that can never be processed (bad JSON, missing fields): it goes to the dead-letter topic. */
public class MalformedEventException extends RuntimeException {
  public MalformedEventException(String message) {
    super(message);
  }

  public MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
