package io.otpflow.issuer;

import com.fasterxml.jackson.databind.JsonNode;
import io.otpflow.common.CountryCode;
import io.otpflow.common.Env;
import io.otpflow.common.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one SMS costs, by the destination's country calling code, from OTPFLOW_SMS_PRICES (inline
 * JSON) or OTPFLOW_SMS_PRICES_FILE; format in docs/configuration.md. Prices are kept in micro-units
 * (millionths of the currency) so sums in Redis stay exact integers.
 *
 * @param currency ISO 4217 code the prices (and the tenants' spend caps) are in, e.g. USD
 * @param defaultMicros price of a message to a calling code the table does not list
 * @param byCallingCode price by calling code ("44")
 * @param configured false when no table was given: nothing is estimated and no spend cap can apply
 */
public record SmsPrices(String currency, long defaultMicros, Map<String, Long> byCallingCode, boolean configured) {
  static final SmsPrices NONE = new SmsPrices("USD", 0, Map.of(), false);
  private static final Set<String> FIELDS = Set.of("currency", "default", "calling_codes");
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  /** No SMS costs this much; a larger number is a typo (cents written as units, an extra zero). */
  private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(100);

  public SmsPrices {
    byCallingCode = Map.copyOf(byCallingCode);
  }

  static SmsPrices fromEnv(Env env) {
    String inline = env.string("OTPFLOW_SMS_PRICES", null);
    String file = env.string("OTPFLOW_SMS_PRICES_FILE", null);
    if (inline != null) {
      return parse(inline, "OTPFLOW_SMS_PRICES");
    }
    if (file != null) {
      try {
        return parse(Files.readString(Path.of(file)), "OTPFLOW_SMS_PRICES_FILE " + file);
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read OTPFLOW_SMS_PRICES_FILE " + file + ": " + e.getMessage());
      }
    }
    return NONE;
  }

  static SmsPrices parse(String json, String where) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(where + " must be a JSON object with currency, default and calling_codes.");
    }
    root.fieldNames().forEachRemaining(name -> {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(where + ": unknown field '" + name + "'.");
      }
    });
    String currency = root.path("currency").asText("");
    if (!currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException(where + ": currency must be an ISO 4217 code like \"USD\".");
    }
    if (!root.has("default")) {
      throw new IllegalArgumentException(where + ": default (the price for calling codes not listed) is required.");
    }
    long fallback = micros(root.get("default"), where + ": default");
    Map<String, Long> prices = new LinkedHashMap<>();
    JsonNode codes = root.path("calling_codes");
    if (!codes.isMissingNode() && !codes.isObject()) {
      throw new IllegalArgumentException(where + ": calling_codes must be an object like {\"44\": 0.04}.");
    }
    codes.properties().forEach(e -> {
      if (!CountryCode.isKnown(e.getKey())) {
        throw new IllegalArgumentException(where + ": '" + e.getKey() + "' is not a country calling code (\"1\", \"44\", \"353\").");
      }
      prices.put(e.getKey(), micros(e.getValue(), where + ": calling code " + e.getKey()));
    });
    return new SmsPrices(currency, fallback, prices, true);
  }

  private static long micros(JsonNode value, String what) {
    if (value == null || !value.isNumber()) {
      throw new IllegalArgumentException(what + " must be a number (price per message).");
    }
    BigDecimal price = new BigDecimal(value.asText());
    if (price.signum() < 0 || price.compareTo(MAX_PRICE) > 0 || price.stripTrailingZeros().scale() > 6) {
      throw new IllegalArgumentException(what + " must be from 0 to 100 with at most 6 decimals.");
    }
    return price.multiply(MILLION).longValueExact();
  }

  /** Micro-units one message to {@code callingCode} costs. */
  long micros(String callingCode) {
    return byCallingCode.getOrDefault(callingCode, defaultMicros);
  }

  static long micros(BigDecimal amount) {
    return amount.multiply(MILLION).longValueExact();
  }

  static double units(long micros) {
    return micros / 1_000_000.0;
  }

  @Override
  public String toString() {
    return configured ? currency + " " + byCallingCode.size() + " calling codes + default" : "none";
  }
}
