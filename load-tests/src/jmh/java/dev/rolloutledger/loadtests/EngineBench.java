package dev.rolloutledger.loadtests;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.InMemoryLedgerStore;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision core alone, one thread: {@link RolloutEngine} over the in-memory store, fed the
 * heartbeat-dominated input of a fleet in an active rollout (every host in the rollout's one wave,
 * heartbeats round-robin at the fleet's 10-second interval in event time, a clock tick each second
 * of event time as the topology gets them). One operation is one heartbeat (and the tick it may
 * carry), so the score is events per second per core. No Kafka, no Avro, no state-store serdes:
 * the ceiling the topology could reach if those cost nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class EngineBench {
  private static final String TENANT = "bench";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Map<String, Double> METRICS = Map.of("cpu", 0.31, "errorRate", 0.001);

  @Param({"10000", "100000"})
  public int hosts;

  private RolloutEngine engine;
  private String[] ids;
  private int next;
  private long nanos;
  private long lastTickSecond;

  @Setup(Level.Trial)
  public void setUp() {
    engine = new RolloutEngine(new InMemoryLedgerStore(), EngineConfig.defaults());
    ids = new String[hosts];
    for (int i = 0; i < hosts; i++) {
      ids[i] = String.format(Locale.ROOT, "h%07d", i);
      engine.apply(new HostRegistered(TENANT, T0, ids[i], Map.of("env", "prod")));
    }
    engine.apply(
        new ReleasePublished(
            TENANT,
            T0,
            "rel-1",
            "agent",
            "1",
            "3ad5c3c7d1b0b8b0e0c9a2a1b2f6f1e1d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3",
            "bench",
            Severity.NORMAL));
    Plan plan =
        new Plan(
            List.of(new WavePlan("fleet", Map.of(), null, null, 0.25, 1, Duration.ofDays(30))));
    engine.apply(new RolloutPlanned(TENANT, T0, "r-1", "rel-1", plan));
    nanos = 0;
    lastTickSecond = 0;
  }

  @Benchmark
  public Object heartbeat() {
    // each host every 10 s of event time
    nanos += 10_000_000_000L / hosts;
    Instant at = T0.plusNanos(nanos);
    long second = nanos / 1_000_000_000L;
    if (second != lastTickSecond) {
      lastTickSecond = second;
      engine.apply(new ClockTick(TENANT, at));
    }
    String host = ids[next];
    next = next + 1 == ids.length ? 0 : next + 1;
    return engine.apply(new Heartbeat(TENANT, at, host, "rel-1", METRICS));
  }
}
