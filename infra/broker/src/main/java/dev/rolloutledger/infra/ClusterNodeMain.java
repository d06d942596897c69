package dev.rolloutledger.infra;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one node (broker and controller) of a multi-node KRaft cluster on loopback until SIGTERM or
 * SIGINT; the reliability suite starts three, each in its own JVM, and kills and restarts them.
 *
 * <pre>
 * java -cp ... dev.rolloutledger.infra.ClusterNodeMain --data-dir DIR --node-id N --port P
 *      --voters 1=C1,2=C2,3=C3 --cluster-id ID [--replication-factor 3] [--min-insync-replicas 2]
 *      [--verbose]
 * </pre>
 *
 * <p>{@code --voters} gives each node's controller port; this node listens on its own. The data dir
 * is formatted on the first start and reused on every later one (a restart after {@code kill -9}
 * finds its log there). Once the node is registered and unfenced it prints {@code
 * KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:P} on stdout. It creates no topics: the cluster's user does,
 * with the replication it wants. Exit codes: 1 when the node could not start, 2 for bad arguments.
 */
public final class ClusterNodeMain {
  private ClusterNodeMain() {}

  public static void main(String[] args) {
    int rc = run(args, System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /** Parsed command line. */
  record Args(Path dataDir, int port, Quorum quorum, boolean verbose) {}

  static Args parse(String[] argv) {
    Map<String, String> named = new HashMap<>();
    boolean verbose = false;
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (arg.equals("--verbose")) {
        verbose = true;
        continue;
      }
      if (!arg.startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("unknown argument or missing value: '" + arg + "'");
      }
      named.put(arg.substring(2), argv[++i]);
    }
    Map<Integer, Integer> voters = new HashMap<>();
    for (String voter : required(named, "voters").split(",")) {
      String[] idPort = voter.trim().split("=");
      if (idPort.length != 2) {
        throw new IllegalArgumentException("--voters wants ID=PORT,..., was '" + voter + "'");
      }
      voters.put(Integer.parseInt(idPort[0].trim()), Integer.parseInt(idPort[1].trim()));
    }
    int rf = Integer.parseInt(named.getOrDefault("replication-factor", "" + voters.size()));
    Quorum quorum =
        new Quorum(
            Integer.parseInt(required(named, "node-id")),
            voters,
            required(named, "cluster-id"),
            rf,
            Integer.parseInt(named.getOrDefault("min-insync-replicas", "" + Math.min(2, rf))));
    named.keySet().removeAll(List.of("voters", "node-id", "cluster-id"));
    named.keySet().removeAll(List.of("replication-factor", "min-insync-replicas"));
    Path dataDir = Paths.get(required(named, "data-dir"));
    int port = Integer.parseInt(required(named, "port"));
    named.keySet().removeAll(List.of("data-dir", "port"));
    if (!named.isEmpty()) {
      throw new IllegalArgumentException("unknown arguments " + named.keySet());
    }
    return new Args(dataDir, port, quorum, verbose);
  }

  private static String required(Map<String, String> named, String name) {
    String value = named.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value.trim();
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args;
    try {
      args = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("ledger-cluster-node: " + e.getMessage());
      return 2;
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", args.verbose() ? "info" : "warn");
    EmbeddedKafkaBroker broker;
    try {
      broker =
          EmbeddedKafkaBroker.start(
              BrokerOptions.clusterNode(args.dataDir(), args.port(), args.quorum()));
    } catch (RuntimeException e) {
      err.println("ledger-cluster-node: error: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    broker.close();
                  } finally {
                    stopped.countDown();
                  }
                },
                "ledger-cluster-node-shutdown"));
    err.printf(
        "ledger-cluster-node: node %d ready (%s, start %d ms) in %s%n",
        args.quorum().nodeId(),
        broker.formattedOnStart() ? "fresh data dir" : "existing data dir",
        broker.startMillis(),
        broker.dataDir());
    out.println("KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
