package io.otpflow.common;

import java.io.ByteArrayOutputStream;

/**
 * RFC 4648 base32, the alphabet authenticator apps take secrets in. Encoding leaves out the '='
 * padding (the Key Uri Format says to); decoding accepts lower case, spaces and padding, since
 * people type these secrets by hand.
 */
public final class Base32 {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Base32() {}

  public static String encode(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  /** The secret in groups of four characters, the way apps show a key to type by hand. */
  public static String grouped(String encoded) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < encoded.length(); i += 4) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(encoded, i, Math.min(encoded.length(), i + 4));
    }
    return out.toString();
  }

  public static byte[] decode(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      if (c == ' ' || c == '=' || c == '-') {
        continue;
      }
      int value = ALPHABET.indexOf(Character.toUpperCase(c));
      if (value < 0) {
        throw new IllegalArgumentException("Not a base32 character: '" + c + "'.");
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
