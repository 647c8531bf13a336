package io.otpflow.common;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typed, validated reads of the process environment (12-factor configuration). Every failure names
 * the variable, so a service that is misconfigured stops at start-up with a message a person can act on.
 */
public final class Env {
  private final Map<String, String> vars;
  private final Set<String> asked = ConcurrentHashMap.newKeySet();

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(Objects.requireNonNull(vars));
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  /** Every variable name a service asked for, so deployment files can be checked against the code. */
  public Set<String> asked() {
    return Set.copyOf(asked);
  }

  public String string(String name, String fallback) {
    asked.add(name);
    String value = vars.get(name);
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  public String required(String name) {
    String value = string(name, null);
    if (value == null) {
      throw new IllegalArgumentException("Environment variable " + name + " is required but not set.");
    }
    return value;
  }

  public int integer(String name, int fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'.");
    }
  }

  public boolean flag(String name, boolean fallback) {
    String value = string(name, null);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'.");
    };
  }

  /** Durations as ISO-8601 ("PT5M") or a number with a unit suffix: "250ms", "30s", "10m", "2h". */
  public Duration duration(String name, Duration fallback) {
    String value = string(name, null);
    return value == null ? fallback : parseDuration(name, value);
  }

  public static Duration parseDuration(String name, String value) {
    String v = value.trim().toLowerCase();
    try {
      if (v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase());
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long amount = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        case 'd' -> Duration.ofDays(amount);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name + " must be a duration like 250ms, 30s, 10m or PT5M, got '" + value + "'.");
    }
  }
}
