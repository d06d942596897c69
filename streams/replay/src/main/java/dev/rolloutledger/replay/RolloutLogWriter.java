package dev.rolloutledger.replay;

import dev.rolloutledger.domain.Decision;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes a {@link RolloutLog}: the header, then inputs and decisions in log order, then the end
 * line on {@link #close()}. Only decisions of the header's rollout belong in it.
 */
public final class RolloutLogWriter implements AutoCloseable {
  private final OutputStream out;
  private final RolloutLog.Chain chain = new RolloutLog.Chain();
  private final RolloutLog.Renderer renderer = new RolloutLog.Renderer();
  private final RolloutLog.Header header;
  private long inputs;
  private long decisions;

  public RolloutLogWriter(OutputStream out, RolloutLog.Header header) {
    this.out = new BufferedOutputStream(out, 1 << 16);
    this.header = header;
    line(renderer.header(header));
  }

  public void input(LedgerInput input) {
    input(RolloutLog.avro(input));
  }

  /** An input as its topic carries it (a clock tick, a telemetry record, ...). */
  public void input(SpecificRecord avro) {
    inputs++;
    line(renderer.input(avro));
  }

  public void decision(LedgerEntry entry) {
    decision(RolloutLog.avro(entry));
  }

  /** A ledger entry as the decisions topic carries it; entries of other rollouts are skipped. */
  public void decision(SpecificRecord avro) {
    Object rollout = avro.get(avro.getSchema().getField("rollout").pos());
    if (!header.rollout().equals(String.valueOf(rollout))) {
      return;
    }
    decisions++;
    line(renderer.decision(avro));
  }

  /**
   * A simulation listener that writes every input and decision; {@code next} also hears them (and
   * the progress).
   */
  public Simulator.Listener recording(Simulator.Listener next) {
    return new Simulator.Listener() {
      @Override
      public void input(LedgerInput input) {
        RolloutLogWriter.this.input(input);
        next.input(input);
      }

      @Override
      public void decision(LedgerInput input, Decision decision) {
        for (LedgerEntry entry : decision.entries()) {
          RolloutLogWriter.this.decision(entry);
        }
        next.decision(input, decision);
      }

      @Override
      public void progress(Duration elapsed, Duration horizon) {
        next.progress(elapsed, horizon);
      }
    };
  }

  public long inputs() {
    return inputs;
  }

  public long decisions() {
    return decisions;
  }

  private void line(byte[] body) {
    try {
      out.write(body);
      out.write(",\"chain\":\"".getBytes(StandardCharsets.US_ASCII));
      out.write(chain.next(body, body.length).getBytes(StandardCharsets.US_ASCII));
      out.write("\"}\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the end line and closes the stream. */
  @Override
  public void close() {
    line(renderer.end(inputs, decisions));
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
