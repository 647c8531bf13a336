package io.otpflow.launcher;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs that some tests use when they are installed (Chromium and chromedriver, promtool,
 * oathtool, zbarimg), looked up in one way: on {@code PATH} only, with no fallback folder. So hiding
 * a tool from {@code PATH} hides it from every test, which is how {@code .ci/run} proves that the
 * suite stays green, skipping with reasons, on a machine without them.
 */
final class OptionalTools {
  /**
   * The JUnit tag of every test class whose behaviour depends on these programs (it skips or falls
   * back without them): {@code .ci/run} runs the classes so tagged once more with the programs hidden.
   */
  static final String TAG = "optional-tools";

  private OptionalTools() {}

  /** The executable {@code program} in the first {@code PATH} folder that has it. */
  static Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
