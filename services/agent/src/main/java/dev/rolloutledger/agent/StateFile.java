package dev.rolloutledger.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The agent's state on disk. A save writes a temporary file, forces it to the device and renames it
 * over the old one atomically, so a power cut leaves either the old state or the new one, never
 * half of each: the seq an agent acted on is never forgotten.
 */
public final class StateFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;

  public StateFile(Path path) {
    this.path = path;
  }

  /**
   * Takes the state's lock file for this process, so two agents never act for one host from one
   * state (each would act on the commands the other already acted on).
   *
   * @throws IllegalStateException another agent holds it
   */
  public AutoCloseable lock() {
    try {
      Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
      Files.createDirectories(lockFile.toAbsolutePath().getParent());
      FileChannel ch =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new IllegalStateException("another agent is running on " + path);
      }
      FileLock held = lock;
      return () -> {
        held.release();
        ch.close();
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock agent state " + path, e);
    }
  }

  public Path path() {
    return path;
  }

  /** The persisted state, or the initial one of that tenant and host if there is none yet. */
  public AgentState load(String tenant, String host) {
    if (!Files.exists(path)) {
      return AgentState.initial(tenant, host);
    }
    try {
      AgentState s = JSON.readValue(path.toFile(), AgentState.class);
      if (!tenant.equals(s.tenant()) || !host.equals(s.host())) {
        throw new IllegalStateException(
            path
                + " is the state of "
                + s.tenant()
                + "/"
                + s.host()
                + ", not "
                + tenant
                + "/"
                + host);
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state " + path, e);
    }
  }

  public void save(AgentState state) {
    try {
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve(path.getFileName() + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(ByteBuffer.wrap(JSON.writeValueAsBytes(state)));
        ch.force(true);
      }
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist agent state " + path, e);
    }
  }
}
