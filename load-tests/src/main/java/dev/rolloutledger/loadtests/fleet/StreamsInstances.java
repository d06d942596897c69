package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.domain.EngineConfig;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.topology.LedgerStreamsConfig;
import dev.rolloutledger.topology.LedgerTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The ledger topology under test: {@code --instances} KafkaStreams instances of one application id
 * in this JVM, each with its own state directory, client id ({@code <appId>-<n>}) and stream
 * threads; started together and closed together.
 */
public final class StreamsInstances implements AutoCloseable {
  /** One KafkaStreams instance: its number (from 1), client id and state directory. */
  public record Instance(int number, String clientId, Path stateDir, KafkaStreams streams) {}

  /** The sub-topologies by what they are, found from {@link Topology#describe()}. */
  public record Stages(Set<Integer> hostStage, Set<Integer> decisionStage) {}

  private final FleetContext c;
  private final List<Instance> instances = new ArrayList<>();
  private final int threads;
  private final Stages stages;

  public StreamsInstances(FleetContext c) {
    this.c = c;
    FleetOptions o = c.options();
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> shared = new HashMap<>();
    // one stream thread per core over all instances: the host stage's 16 tasks share them (ADR
    // 0007)
    shared.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, cores / o.instances()));
    shared.putAll(o.streamsConfig());
    if (o.threads() > 0) {
      shared.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, o.threads());
    }
    shared.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, o.commitIntervalMs());
    threads = Integer.parseInt(String.valueOf(shared.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    // every instance signs with the same key, as the instances of one deployment do
    CommandSigningKey signingKey = CommandSigningKey.generate();
    Stages found = null;
    for (int n = 1; n <= o.instances(); n++) {
      Map<String, Object> overrides = new HashMap<>(shared);
      String clientId = c.appId() + "-" + n;
      overrides.put(StreamsConfig.CLIENT_ID_CONFIG, clientId);
      Path stateDir = c.work().resolve(o.instances() == 1 ? "streams" : "streams-" + n);
      // 0: the server's chunk (LedgerTopology.journalConfig)
      EngineConfig engine = EngineConfig.defaults().withFanOutChunk(c.options().fanOutChunk());
      Topology topology = LedgerTopology.build(c.registry(), engine, signingKey);
      if (found == null) {
        found = stagesOf(topology);
      }
      KafkaStreams streams =
          new KafkaStreams(
              topology,
              LedgerStreamsConfig.properties(
                  c.appId(),
                  KafkaConnection.fromEnvironment(c.bootstrap()),
                  stateDir.toString(),
                  c.registry(),
                  overrides));
      streams.setUncaughtExceptionHandler(
          e -> {
            c.progress().fail("stream thread of " + clientId + " failed: " + e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      instances.add(new Instance(n, clientId, stateDir, streams));
    }
    stages = found;
  }

  /**
   * The host stage is the sub-topology that reads {@code ledger.telemetry}, the decision stage the
   * one that reads {@code ledger.inputs}.
   */
  static Stages stagesOf(Topology topology) {
    Set<Integer> host = new TreeSet<>();
    Set<Integer> decision = new TreeSet<>();
    for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : s.nodes()) {
        if (node instanceof TopologyDescription.Source) {
          Set<String> topics = ((TopologyDescription.Source) node).topicSet();
          if (topics != null && topics.contains(Topics.TELEMETRY.name())) {
            host.add(s.id());
          }
          if (topics != null && topics.contains(Topics.INPUTS.name())) {
            decision.add(s.id());
          }
        }
      }
    }
    if (host.isEmpty() || decision.isEmpty()) {
      throw new IllegalStateException(
          "no sub-topology reads " + Topics.TELEMETRY.name() + " or " + Topics.INPUTS.name());
    }
    return new Stages(host, decision);
  }

  /** Starts every instance and waits until all are RUNNING. */
  public void start() {
    c.progress().say("starting the topology (" + c.appId() + ")");
    instances.forEach(i -> i.streams().start());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (Instance i : instances) {
      KafkaStreams streams = i.streams();
      while (streams.state() != KafkaStreams.State.RUNNING) {
        if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
          String which = instances.size() == 1 ? "" : " (instance " + i.number() + ")";
          throw new IllegalStateException("topology not RUNNING" + which + ": " + streams.state());
        }
        Machine.sleepMillis(50);
      }
    }
  }

  public List<Instance> instances() {
    return instances;
  }

  /** Stream threads per instance. */
  public int threads() {
    return threads;
  }

  public Stages stages() {
    return stages;
  }

  /** The state directories, for the state memory report once closed. */
  public List<Path> stateDirs() {
    return instances.stream().map(Instance::stateDir).toList();
  }

  /** Closes every instance, all at once (one by one, each close would move tasks to the rest). */
  @Override
  public void close() {
    c.progress().say("closing the topology");
    List<Thread> closing = new ArrayList<>();
    for (Instance i : instances) {
      Thread t = new Thread(() -> i.streams().close(Duration.ofSeconds(60)), "close-" + i.number());
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
