package io.otpflow.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive use of a data folder by one process: an OS file lock on {@code otpflow.lock} in it,
 * held until {@link #close()} or until the process ends.
 *
 * <p>The operating system releases the lock when its holder dies, even by SIGKILL, so a lock that
 * cannot be taken always means a live holder, never a stale file to delete by hand. The holder's
 * pid is written into the file only to name it in the refusal.
 */
public final class DataFolderLock implements AutoCloseable {
    static final String FILE_NAME = "otpflow.lock";

    /** The folder is in use by another live process (or by this one already). */
    public static final class FolderInUseException extends IllegalStateException {
        FolderInUseException(String message) {
            super(message);
        }
    }

    /**
     * Folders this JVM holds: a second channel must not even be opened on a held lock file, because
     * closing any descriptor of a file drops the POSIX locks this process has on it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataFolderLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code folder} (created if missing) for this process.
     *
     * @throws FolderInUseException with a message naming the holder's pid when it is taken
     */
    public static DataFolderLock acquire(Path folder) {
        Path file = folder.toAbsolutePath().normalize().resolve(FILE_NAME);
        if (!HELD.add(file)) {
            throw inUse(file, Long.toString(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw inUse(file, new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip());
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataFolderLock(file, channel, lock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(file);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Could not lock the data folder " + file.getParent(), io);
            }
            throw (RuntimeException) e;
        }
    }

    private static FolderInUseException inUse(Path file, String holder) {
        return new FolderInUseException("The data folder " + file.getParent() + " is in use by another otpflow"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + ": stop that one first, or give this one another folder (OTPFLOW_DATA_DIR).");
    }

    /** Releases the folder; the file stays (deleting it could race with the next holder). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // The lock goes with the channel anyway.
        }
        closeQuietly(channel);
        HELD.remove(file);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing releases the lock; nothing more to do.
        }
    }
}
