package dev.rolloutledger.replay;

import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.RolloutEngine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * {@code ledger replay --verify}: recomputes every decision of a {@link RolloutLog} from its inputs
 * with the same engine as the server, and checks that they are the recorded ones, byte for byte, in
 * the same places, and that every line extends the hash chain.
 *
 * <p>Two threads: one reads, checks the chain and parses lines; the calling thread runs the engine
 * and compares. Lines reach the engine in log order with any error in its place, so the first line
 * that diverges is the one named, whichever check finds it.
 */
public final class RolloutReplay {
  private RolloutReplay() {}

  private static final int BATCH = 1024;

  /** What a verified log held. */
  public record Verified(RolloutLog.Header header, long inputs, long decisions) {
    public long entries() {
      return inputs + decisions;
    }
  }

  /** A line as the reader hands it over: parsed input, decision text, end counts, or an error. */
  private record Line(
      long number,
      RolloutLog.Kind kind,
      LedgerInput input,
      byte[] decision,
      long[] counts,
      LogException error) {}

  private record Batch(List<Line> lines, long consumed, boolean last) {}

  /**
   * Verifies the log; throws {@link LogException} naming the first line that diverges. {@code
   * progress} receives the bytes read so far, now and then.
   */
  public static Verified verify(InputStream in, LongConsumer progress) {
    try (RolloutLogReader log = new RolloutLogReader(in)) {
      BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(16);
      Thread reader = new Thread(() -> read(log, batches), "replay-reader");
      reader.setDaemon(true);
      reader.start();
      try {
        return check(log.header(), batches, progress);
      } finally {
        reader.interrupt();
      }
    }
  }

  // ---- the reading thread ----

  private static void read(RolloutLogReader log, BlockingQueue<Batch> batches) {
    List<Line> lines = new ArrayList<>(BATCH);
    try {
      boolean ended = false;
      while (true) {
        Line line = next(log, ended);
        if (line == null) {
          batches.put(new Batch(lines, log.consumed(), true));
          return;
        }
        ended |= line.kind() == RolloutLog.Kind.END;
        lines.add(line);
        if (line.error() != null) {
          batches.put(new Batch(lines, log.consumed(), true));
          return;
        }
        if (lines.size() == BATCH) {
          batches.put(new Batch(lines, log.consumed(), false));
          lines = new ArrayList<>(BATCH);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the checker stopped: nobody waits for the rest
    }
  }

  /** The next line, read and parsed; null at the end of the stream. */
  private static Line next(RolloutLogReader log, boolean ended) {
    try {
      RolloutLog.Kind kind = log.next();
      if (kind == null) {
        return null;
      }
      if (ended) {
        throw new LogException(log.line(), "follows the end line");
      }
      return switch (kind) {
        case INPUT -> new Line(log.line(), kind, log.input(), null, null, null);
        case DECISION ->
            new Line(
                log.line(), kind, null, Arrays.copyOf(log.body(), log.bodyLength()), null, null);
        case END -> new Line(log.line(), kind, null, null, log.endCounts(), null);
        case HEADER -> throw new LogException(log.line(), "is a second header");
      };
    } catch (LogException e) {
      return new Line(e.line(), null, null, null, null, e);
    } catch (RuntimeException e) {
      return new Line(
          log.line() + 1,
          null,
          null,
          null,
          null,
          new LogException(log.line() + 1, "cannot be read: " + e));
    }
  }

  // ---- the checking thread ----

  private static Verified check(
      RolloutLog.Header header, BlockingQueue<Batch> batches, LongConsumer progress) {
    String rollout = header.rollout();
    RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), header.engineConfig());
    RolloutLog.Renderer renderer = new RolloutLog.Renderer();
    Deque<byte[]> expected = new ArrayDeque<>();
    long inputs = 0;
    long decisions = 0;
    long lastLine = 1;
    boolean ended = false;
    while (true) {
      Batch batch = take(batches);
      for (Line line : batch.lines()) {
        lastLine = line.number();
        if (line.error() != null) {
          throw line.error();
        }
        switch (line.kind()) {
          case INPUT -> {
            unrecorded(expected, line.number());
            for (LedgerEntry entry : engine.apply(line.input()).entries()) {
              if (entry.rollout().equals(rollout)) {
                expected.add(renderer.decision(RolloutLog.avro(entry)));
              }
            }
            inputs++;
          }
          case DECISION -> {
            byte[] want = expected.poll();
            if (want == null) {
              throw new LogException(line.number(), "records a decision the engine does not make");
            }
            if (!Arrays.equals(want, line.decision())) {
              throw new LogException(
                  line.number(),
                  "records a decision that differs from the engine's: "
                      + new String(want, StandardCharsets.UTF_8)
                      + "}; the log has: "
                      + new String(line.decision(), StandardCharsets.UTF_8)
                      + "}");
            }
            decisions++;
          }
          case END -> {
            unrecorded(expected, line.number());
            long[] counts = line.counts();
            if (counts[0] != inputs || counts[1] != decisions) {
              throw new LogException(
                  line.number(),
                  "counts "
                      + counts[0]
                      + " inputs and "
                      + counts[1]
                      + " decisions, the log holds "
                      + inputs
                      + " and "
                      + decisions);
            }
            ended = true;
          }
          default -> throw new IllegalStateException("unexpected " + line.kind());
        }
      }
      progress.accept(batch.consumed());
      if (batch.last()) {
        if (!ended) {
          throw new LogException(lastLine + 1, "is missing: the log ends without its end line");
        }
        return new Verified(header, inputs, decisions);
      }
    }
  }

  private static Batch take(BlockingQueue<Batch> batches) {
    try {
      return batches.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while verifying", e);
    }
  }

  /** The engine decided something the log does not record before this line. */
  private static void unrecorded(Deque<byte[]> expected, long line) {
    if (!expected.isEmpty()) {
      throw new LogException(
          line,
          "comes where the engine decided "
              + new String(expected.peek(), StandardCharsets.UTF_8)
              + "}, which the log does not record");
    }
  }
}
