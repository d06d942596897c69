package dev.rolloutledger.loadtests;

import dev.rolloutledger.domain.sim.Simulator;
import dev.rolloutledger.replay.RolloutLog;
import dev.rolloutledger.replay.RolloutLogWriter;
import dev.rolloutledger.replay.RolloutReplay;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code ledger replay --verify} ({@link RolloutReplay#verify}) of a generated log: the simulator's
 * seeded good rollout over the default plan (the {@code good} case of {@link SimulatorSpeed}),
 * recorded to a temporary file once per trial, then verified whole per operation. The {@code
 * entries} counter is log entries (inputs and decisions) verified per second; replay runs a reading
 * thread and the engine thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ReplayBench {

  @Param({"1000"})
  public int hosts;

  private Path log;

  /** Entries verified, reported as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Entries {
    public long entries;
  }

  @Setup(Level.Trial)
  public void record() throws IOException {
    log = Files.createTempFile("replay-bench", ".jsonl");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 16);
        RolloutLogWriter writer = new RolloutLogWriter(out, RolloutLog.Header.simulation())) {
      Simulator.run(
          SimulatorSpeed.scenario("good", hosts), writer.recording(new Simulator.Listener() {}));
    }
  }

  @TearDown(Level.Trial)
  public void delete() throws IOException {
    Files.deleteIfExists(log);
  }

  @Benchmark
  public RolloutReplay.Verified verify(Entries counter) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(log), 1 << 16)) {
      RolloutReplay.Verified v = RolloutReplay.verify(in, bytes -> {});
      counter.entries += v.entries();
      return v;
    }
  }
}
