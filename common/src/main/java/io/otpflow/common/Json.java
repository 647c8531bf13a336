package io.otpflow.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapping used for events, replies and the HTTP API: snake_case keys, ISO-8601 instants,
 * unknown properties ignored so additive changes to a v1 contract do not break older readers.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Json() {}

  /**
   * For compact constructors of event records: a missing required field fails while reading, so
   * the record becomes a dead letter with the field's name instead of a NullPointerException later.
   */
  public static <T> T require(T value, String field) {
    if (value == null || (value instanceof String s && s.isEmpty())) {
      throw new IllegalArgumentException("missing required field " + field);
    }
    return value;
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String writeString(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a value; malformed input is a {@link MalformedEventException} (a poison record). */
  public static <T> T read(byte[] bytes, Class<T> type) {
    if (bytes == null) {
      throw new MalformedEventException("The record has no value.");
    }
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new MalformedEventException("The record's value is JSON null.");
      }
      return value;
    } catch (IOException | IllegalArgumentException e) {
      // Only our own validation messages are quoted: Jackson's would echo bits of the input.
      Throwable cause = e instanceof IllegalArgumentException ? e : e.getCause();
      String why = cause instanceof IllegalArgumentException && cause.getMessage() != null
              && cause.getMessage().startsWith("missing required field")
          ? cause.getMessage()
          : e.getClass().getSimpleName();
      throw new MalformedEventException("The record is not a valid " + type.getSimpleName() + ": " + why, e);
    }
  }
}
