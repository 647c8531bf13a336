package io.otpflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A private temporary folder for a fixture that outlives one test method (a platform started in
 * {@code @BeforeAll}, a fake server), deleted with everything in it on {@link #close()}. Test methods
 * use JUnit's {@code @TempDir}; this is for the fixtures that JUnit does not manage, so that a test
 * run leaves nothing in {@code /tmp}.
 */
public final class ScratchDir implements AutoCloseable {
  private final Path path;

  private ScratchDir(Path path) {
    this.path = path;
  }

  /** A new, empty folder named after {@code prefix}. */
  public static ScratchDir create(String prefix) {
    try {
      return new ScratchDir(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a temporary folder for " + prefix, e);
    }
  }

  public Path path() {
    return path;
  }

  /** {@code name} inside the folder. */
  public Path resolve(String name) {
    return path.resolve(name);
  }

  /** Deletes the folder and its contents. */
  @Override
  public void close() {
    delete(path);
  }

  /** Deletes {@code folder} and everything in it; a folder that is already gone is fine. */
  public static void delete(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(ScratchDir::deleteOne);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + folder, e);
    }
  }

  private static void deleteOne(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + file, e);
    }
  }
}
