package dev.rolloutledger.replay;

import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.sim.Simulator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes a {@link RolloutLog}: the header, then inputs and decisions in log order, then the end
 * line on {@link #close()}. Only decisions of the header's rollout belong in it.
 *
 * <p>Rendering and hashing happen on a thread of the writer's own, in batches, so that the caller
 * (a simulation, an export) goes on; an I/O error surfaces at the next call or at {@link #close()}.
 */
public final class RolloutLogWriter implements AutoCloseable {
  private static final int BATCH = 4096;
  private static final List<Object> END = List.of();

  private final OutputStream out;
  private final RolloutLog.Chain chain = new RolloutLog.Chain();
  private final RolloutLog.Renderer renderer = new RolloutLog.Renderer();
  private final RolloutLog.Header header;
  private final BlockingQueue<List<Object>> batches = new ArrayBlockingQueue<>(8);
  private final Thread thread;
  private volatile RuntimeException failure;
  private List<Object> batch = new ArrayList<>(BATCH);
  private long inputs;
  private long decisions;

  public RolloutLogWriter(OutputStream out, RolloutLog.Header header) {
    this.out = new BufferedOutputStream(out, 1 << 16);
    this.header = header;
    line(renderer.header(header));
    this.thread = new Thread(this::drain, "rollout-log-writer");
    thread.setDaemon(true);
    thread.start();
  }

  public void input(LedgerInput input) {
    inputs++;
    add(input);
  }

  /** An input as its topic carries it (a clock tick, a telemetry record, ...). */
  public void input(SpecificRecord avro) {
    inputs++;
    add(new Input(avro));
  }

  public void decision(LedgerEntry entry) {
    if (entry.rollout().equals(header.rollout())) {
      decisions++;
      add(entry);
    }
  }

  /** A ledger entry as the decisions topic carries it; entries of other rollouts are skipped. */
  public void decision(SpecificRecord avro) {
    Object rollout = avro.get(avro.getSchema().getField("rollout").pos());
    if (header.rollout().equals(String.valueOf(rollout))) {
      decisions++;
      add(new Decision(avro));
    }
  }

  /** An Avro input or decision, told apart from domain objects in a batch. */
  private record Input(SpecificRecord avro) {}

  private record Decision(SpecificRecord avro) {}

  private void add(Object item) {
    batch.add(item);
    if (batch.size() == BATCH) {
      hand(batch);
      batch = new ArrayList<>(BATCH);
    }
  }

  private void hand(List<Object> items) {
    if (failure != null) {
      throw failure;
    }
    try {
      batches.put(items);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the log", e);
    }
  }

  /** The writer's thread: renders, chains and writes every batch until the end. */
  private void drain() {
    try {
      while (true) {
        List<Object> items = batches.take();
        if (items == END) {
          return;
        }
        for (Object item : items) {
          line(render(item));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
      batches.clear(); // unblock the caller; it fails at its next call
    }
  }

  private byte[] render(Object item) {
    if (item instanceof LedgerInput in) {
      return renderer.input(RolloutLog.avro(in));
    } else if (item instanceof LedgerEntry entry) {
      return renderer.decision(RolloutLog.avro(entry));
    } else if (item instanceof Input in) {
      return renderer.input(in.avro());
    }
    return renderer.decision(((Decision) item).avro());
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
      public void decision(LedgerInput input, dev.rolloutledger.domain.Decision decision) {
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

  /** Writes what is left and the end line, and closes the stream. */
  @Override
  public void close() {
    hand(batch);
    hand(END);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the log", e);
    }
    if (failure != null) {
      throw failure;
    }
    line(renderer.end(inputs, decisions));
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
