package io.otpflow.launcher;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;

/**
 * What a phone with an authenticator app does, written for the tests independently of the code under
 * test: read the QR code (zxing's reader, and zbarimg when installed), parse the otpauth:// URI, and
 * compute codes with {@code oathtool} when installed, else with a reference implementation written
 * here from RFC 4226 section 5.3 and RFC 6238 (no otpflow class is used).
 */
final class AuthenticatorApp {
  /** Which implementation computed the codes in this run, for the test report. */
  static final String IMPLEMENTATION = OptionalTools.onPath("oathtool").isPresent() ? "oathtool" : "the tests' own RFC 6238 reference";

  record Key(String issuer, String account, String secret, String algorithm, int digits, int period, String label) {}

  private AuthenticatorApp() {}

  /** Decodes the QR code in a PNG with zxing's reader. */
  static String readQrWithZxing(byte[] png) throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
    // The PNG is a pure barcode (no camera, no rotation, quiet zone intact): PURE_BARCODE reads the
    // modules directly. zxing's finder-pattern detector, used without it, misses about 1 in 100 of
    // these images although zbarimg reads every one (2000 random URIs tried), so that mode alone would be flaky.
    return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
  }

  /** Decodes the QR code with zbarimg (a separate, C implementation), or null when it is not installed. */
  static String readQrWithZbar(byte[] png) throws Exception {
    Path zbar = OptionalTools.onPath("zbarimg").orElse(null);
    if (zbar == null) {
      return null;
    }
    Path file = Files.createTempFile("otpflow-qr", ".png");
    try {
      Files.write(file, png);
      // stderr is dropped: zbarimg complains there about a missing D-Bus, which is irrelevant here.
      Process p = new ProcessBuilder(zbar.toString(), "--raw", "-q", file.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("zbarimg did not finish");
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Parses otpauth://totp/Issuer:account?secret=…&issuer=…, with the Key Uri Format's defaults. */
  static Key parse(String uri) {
    URI u = URI.create(uri);
    if (!"otpauth".equals(u.getScheme()) || !"totp".equals(u.getHost())) {
      throw new AssertionError("Not an otpauth://totp URI: " + uri);
    }
    String label = URLDecoder.decode(u.getRawPath().substring(1), StandardCharsets.UTF_8);
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : u.getRawQuery().split("&")) {
      String[] kv = pair.split("=", 2);
      q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    int colon = label.indexOf(':');
    return new Key(q.get("issuer"), colon < 0 ? label : label.substring(colon + 1), q.get("secret"),
        q.getOrDefault("algorithm", "SHA1"), Integer.parseInt(q.getOrDefault("digits", "6")),
        Integer.parseInt(q.getOrDefault("period", "30")), label);
  }

  /** The code the app shows at {@code time}. */
  static String code(Key key, Instant time) throws Exception {
    return codeAtStep(key, Math.floorDiv(time.getEpochSecond(), key.period()));
  }

  static String codeAtStep(Key key, long step) throws Exception {
    Path oathtool = OptionalTools.onPath("oathtool").orElse(null);
    if (oathtool != null) {
      Process p = new ProcessBuilder(oathtool.toString(), "--totp=" + key.algorithm().toLowerCase(), "--base32",
          "--digits=" + key.digits(), "--time-step-size=" + key.period() + "s", "--now=@" + step * key.period(),
          key.secret()).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("oathtool did not finish");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new AssertionError("oathtool failed: " + out);
      }
      return out;
    }
    return reference(key, step);
  }

  /** RFC 4226 5.3 / RFC 6238 4.2, from the RFC text: HMAC of the big-endian step, dynamic truncation. */
  private static String reference(Key key, long step) throws Exception {
    String jce = "Hmac" + key.algorithm().toUpperCase();
    Mac mac = Mac.getInstance(jce);
    mac.init(new SecretKeySpec(base32(key.secret()), jce));
    byte[] h = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array());
    int o = h[h.length - 1] & 0xf;
    long bin = ((h[o] & 0x7fL) << 24) | ((h[o + 1] & 0xffL) << 16) | ((h[o + 2] & 0xffL) << 8) | (h[o + 3] & 0xffL);
    return String.format("%0" + key.digits() + "d", bin % (long) Math.pow(10, key.digits()));
  }

  private static byte[] base32(String s) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long buffer = 0;
    int bits = 0;
    for (char c : s.toUpperCase().toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((int) (buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }
}
