package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.topology.LedgerStreamsConfig;
import dev.rolloutledger.topology.LedgerTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/** The ledger topology under test: its KafkaStreams instance, started and closed. */
public final class StreamsInstances implements AutoCloseable {
  private final FleetContext c;
  private final Path stateDir;
  private final KafkaStreams streams;

  public StreamsInstances(FleetContext c) {
    this.c = c;
    Map<String, Object> overrides = new HashMap<>();
    // one stream thread per core: the host stage's 16 tasks share them (ADR 0007)
    overrides.put(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
    overrides.putAll(c.options().streamsConfig());
    overrides.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.options().commitIntervalMs());
    stateDir = c.work().resolve("streams");
    streams =
        new KafkaStreams(
            LedgerTopology.build(
                c.registry(), EngineConfig.defaults(), CommandSigningKey.generate()),
            LedgerStreamsConfig.properties(
                c.appId(), c.bootstrap(), stateDir.toString(), c.registry(), overrides));
    streams.setUncaughtExceptionHandler(
        e -> {
          c.progress().fail("stream thread failed: " + e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
  }

  /** Starts the instance and waits until it is RUNNING. */
  public void start() {
    c.progress().say("starting the topology (" + c.appId() + ")");
    streams.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        throw new IllegalStateException("topology not RUNNING: " + streams.state());
      }
      Machine.sleepMillis(50);
    }
  }

  /** The state directories, for the state memory report once closed. */
  public List<Path> stateDirs() {
    return List.of(stateDir);
  }

  @Override
  public void close() {
    c.progress().say("closing the topology");
    streams.close(Duration.ofSeconds(60));
  }
}
