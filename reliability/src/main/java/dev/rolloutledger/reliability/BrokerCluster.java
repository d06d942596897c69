package dev.rolloutledger.reliability;

import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * Three KRaft nodes (each broker and controller, static quorum), each in its own JVM from the
 * broker jar ({@code ClusterNodeMain}), on loopback; topics with replication 3 and {@code
 * min.insync.replicas} 2. A node is killed with SIGKILL and restarted on its own data dir.
 */
public final class BrokerCluster implements AutoCloseable {
  public static final int NODES = 3;
  public static final short REPLICATION = 3;
  public static final int MIN_ISR = 2;
  private static final Duration START = Duration.ofMinutes(3);

  private final Map<Integer, Jvm> nodes = new LinkedHashMap<>();
  private final Map<Integer, Integer> ports = new LinkedHashMap<>();
  private final Report report;

  public BrokerCluster(Path brokerJar, Path workDir, Report report) {
    this.report = report;
    if (!brokerJar.toFile().isFile()) {
      throw new IllegalStateException(
          "no broker jar at " + brokerJar + ": build it (-pl infra/broker -am package)");
    }
    Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
    for (int id = 1; id <= NODES; id++) {
      ports.put(id, freePort());
      controllerPorts.put(id, freePort());
    }
    String voters =
        controllerPorts.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
    String clusterId = Uuid.randomUuid().toString();
    for (int id = 1; id <= NODES; id++) {
      List<String> cmd =
          Jvm.java(
              "-Xmx384m",
              "-cp",
              brokerJar.toAbsolutePath().toString(),
              "dev.rolloutledger.infra.ClusterNodeMain",
              "--data-dir",
              workDir.resolve("broker-" + id).toAbsolutePath().toString(),
              "--node-id",
              Integer.toString(id),
              "--port",
              Integer.toString(ports.get(id)),
              "--voters",
              voters,
              "--cluster-id",
              clusterId,
              "--replication-factor",
              Short.toString(REPLICATION),
              "--min-insync-replicas",
              Integer.toString(MIN_ISR));
      nodes.put(
          id, new Jvm("broker-" + id, cmd, Map.of(), workDir.resolve("broker-" + id + ".log")));
    }
  }

  /** Starts the three nodes, waits until each is unfenced, creates every ledger topic. */
  public void start() {
    long t0 = System.nanoTime();
    nodes.values().forEach(Jvm::start);
    nodes.values().forEach(this::awaitReady);
    try (Admin admin = admin()) {
      TopicInstaller.ensureTopics(admin, Topics.all(), REPLICATION);
    }
    awaitFullIsr(START);
    report.line(
        "cluster: %d KRaft nodes up, %d topics with replication %d, min.insync.replicas %d, in %.1f s",
        NODES, Topics.all().size(), REPLICATION, MIN_ISR, (System.nanoTime() - t0) / 1e9);
  }

  private void awaitReady(Jvm node) {
    Deadline.await(
        node.name() + " ready (" + node.log() + ")",
        START,
        Duration.ofMillis(200),
        () -> {
          if (!node.alive()) {
            throw new IllegalStateException(node.name() + " died on start:\n" + node.tail(30));
          }
          return node.outputSinceStart().contains("KAFKA_BOOTSTRAP_SERVERS=");
        });
  }

  /**
   * How the suite's clients reach this cluster: its own nodes, open (no authentication) on
   * loopback, whatever LEDGER_KAFKA_* the environment holds.
   */
  public KafkaConnection connection() {
    return KafkaConnection.plaintext(bootstrap());
  }

  public String bootstrap() {
    return ports.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public Admin admin() {
    Properties p = connection().properties();
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  /** The node leading {@code topic}-{@code partition} now. */
  public int leaderOf(String topic, int partition) {
    try (Admin admin = admin()) {
      TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      return d.partitions().get(partition).leader().id();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe " + topic, e.getCause());
    }
  }

  /** SIGKILL of node {@code id}, then a start on its data dir once {@code down} has passed. */
  public void restart(int id, Duration down) {
    Jvm node = nodes.get(id);
    long t0 = System.nanoTime();
    node.kill();
    Deadline.pause(down);
    node.start();
    awaitReady(node);
    awaitFullIsr(START);
    report.line(
        "  broker %d back and every partition fully in sync %.1f s after its SIGKILL",
        id, (System.nanoTime() - t0) / 1e9);
  }

  /** Waits until every partition of every ledger topic has all replicas in sync again. */
  public void awaitFullIsr(Duration limit) {
    List<String> names = new ArrayList<>();
    Topics.all().forEach(t -> names.add(t.name()));
    try (Admin admin = admin()) {
      Deadline.await(
          "every partition with " + NODES + " in-sync replicas",
          limit,
          Duration.ofMillis(500),
          () -> {
            try {
              return admin.describeTopics(names).allTopicNames().get().values().stream()
                  .flatMap(d -> d.partitions().stream())
                  .map(TopicPartitionInfo::isr)
                  .allMatch(isr -> isr.size() == NODES);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            } catch (ExecutionException e) {
              return false;
            }
          });
    }
  }

  public List<Jvm> nodes() {
    return List.copyOf(nodes.values());
  }

  @Override
  public void close() {
    nodes.values().forEach(n -> n.stop(Duration.ofSeconds(20)));
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
