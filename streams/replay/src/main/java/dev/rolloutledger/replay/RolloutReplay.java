package dev.rolloutledger.replay;

import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.RolloutEngine;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.LongConsumer;

/**
 * {@code ledger replay --verify}: recomputes every decision of a {@link RolloutLog} from its inputs
 * with the same engine as the server, and checks that they are the recorded ones, byte for byte, in
 * the same places, and that every line extends the hash chain.
 */
public final class RolloutReplay {
  private RolloutReplay() {}

  /** What a verified log held. */
  public record Verified(RolloutLog.Header header, long inputs, long decisions) {
    public long entries() {
      return inputs + decisions;
    }
  }

  /**
   * Verifies the log; throws {@link LogException} naming the first line that diverges. {@code
   * progress} receives the bytes read so far, now and then.
   */
  public static Verified verify(InputStream in, LongConsumer progress) {
    try (RolloutLogReader log = new RolloutLogReader(in)) {
      String rollout = log.header().rollout();
      RolloutEngine engine = new RolloutEngine(new InMemoryLedgerStore(), EngineConfig.defaults());
      RolloutLog.Renderer renderer = new RolloutLog.Renderer();
      Deque<byte[]> expected = new ArrayDeque<>();
      long inputs = 0;
      long decisions = 0;
      RolloutLog.Kind kind;
      while ((kind = log.next()) != null) {
        switch (kind) {
          case INPUT -> {
            unrecorded(expected, log.line());
            LedgerInput input = log.input();
            Decision decision = engine.apply(input);
            for (LedgerEntry entry : decision.entries()) {
              if (entry.rollout().equals(rollout)) {
                expected.add(renderer.decision(RolloutLog.avro(entry)));
              }
            }
            if ((++inputs & 0xFFFF) == 0) {
              progress.accept(log.consumed());
            }
          }
          case DECISION -> {
            byte[] want = expected.poll();
            if (want == null) {
              throw new LogException(log.line(), "records a decision the engine does not make");
            }
            if (!Arrays.equals(want, 0, want.length, log.body(), 0, log.bodyLength())) {
              throw new LogException(
                  log.line(),
                  "records a decision that differs from the engine's: "
                      + new String(want, java.nio.charset.StandardCharsets.UTF_8)
                      + "}");
            }
            decisions++;
          }
          case END -> {
            unrecorded(expected, log.line());
            long[] counts = log.endCounts();
            if (counts[0] != inputs || counts[1] != decisions) {
              throw new LogException(
                  log.line(),
                  "counts "
                      + counts[0]
                      + " inputs and "
                      + counts[1]
                      + " decisions, the log holds "
                      + inputs
                      + " and "
                      + decisions);
            }
            if (log.next() != null) {
              throw new LogException(log.line(), "follows the end line");
            }
            progress.accept(log.consumed());
            return new Verified(log.header(), inputs, decisions);
          }
          default -> throw new LogException(log.line(), "is a second header");
        }
      }
      throw new LogException(log.line() + 1, "is missing: the log ends without its end line");
    }
  }

  /** The engine decided something the log does not record before this line. */
  private static void unrecorded(Deque<byte[]> expected, long line) {
    if (!expected.isEmpty()) {
      byte[] first = expected.peek();
      throw new LogException(
          line,
          "comes where the engine decided "
              + new String(first, java.nio.charset.StandardCharsets.UTF_8)
              + "}, which the log does not record");
    }
  }
}
