package dev.rolloutledger.infra;

import dev.rolloutledger.infra.EmbeddedKafkaBroker.BrokerStartException;
import dev.rolloutledger.infra.EmbeddedKafkaBroker.DataDirInUseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A broker's data dir: its state files, written atomically, and the lock held while it runs. */
final class DataDir {
  private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);

  private DataDir() {}

  static Properties load(Path file) {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return p;
  }

  /** Writes to a temp file then renames, so a crash never leaves half a file. */
  static void store(Properties p, Path file, String comment) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, comment);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * An exclusive lock on the data dir, held while the broker runs (another process or in this JVM).
   */
  static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock fileLock;

    private Lock(FileChannel channel, FileLock fileLock) {
      this.channel = channel;
      this.fileLock = fileLock;
    }

    static Lock acquire(Path dataDir) {
      Path file = dataDir.resolve(EmbeddedKafkaBroker.LOCK_FILE);
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new BrokerStartException("cannot open lock file " + file + ": " + e, e);
      }
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        fileLock = null; // held by a broker in this JVM
      } catch (IOException e) {
        closeQuietly(channel);
        throw new BrokerStartException("cannot lock " + file + ": " + e, e);
      }
      if (fileLock == null) {
        closeQuietly(channel);
        throw new DataDirInUseException(dataDir);
      }
      return new Lock(channel, fileLock);
    }

    @Override
    public void close() {
      try {
        fileLock.release();
      } catch (IOException e) {
        LOG.debug("releasing data dir lock", e);
      } finally {
        closeQuietly(channel);
      }
    }

    static void closeQuietly(FileChannel channel) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
