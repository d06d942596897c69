package dev.rolloutledger.infra;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka 4.4 broker in KRaft mode (broker and controller in one node), running in
 * this JVM ({@link KafkaRaftServer}, what {@code kafka.Kafka.main} runs), listening on loopback
 * only. With {@link BrokerOptions#quorum()} it is instead one node (broker and controller) of a
 * multi-node cluster with a static quorum ({@link ClusterNodeMain} runs one per JVM).
 *
 * <p>Layout of {@code dataDir}:
 *
 * <ul>
 *   <li>{@value #STATE_FILE}: what must stay stable across restarts (cluster id, ports), written by
 *       us
 *   <li>{@value #SERVER_PROPERTIES}: the Kafka config of the last start (for people and the format
 *       step)
 *   <li>{@value #LOG_DIR}/: Kafka's {@code log.dirs} and KRaft metadata log; {@code
 *       meta.properties} there means "already formatted"
 * </ul>
 *
 * <p>Storage is formatted on the first start only; later starts reuse the log, so every event
 * survives a restart.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  public static final String STATE_FILE = "ledger-broker.properties";
  public static final String SERVER_PROPERTIES = "server.properties";
  public static final String LOG_DIR = "kafka-logs";
  public static final String LOCK_FILE = ".ledger-broker.lock";
  static final int NODE_ID = 1;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final String KEY_CLUSTER_ID = "cluster.id";
  private static final String KEY_PORT = "port";
  private static final String KEY_CONTROLLER_PORT = "controller.port";

  private final BrokerOptions options;
  private final String advertisedHost;
  private final int port;
  private final int controllerPort;
  private final String clusterId;
  private final boolean formatted;
  private final long formatMillis;
  private final long startMillis;
  private final KafkaRaftServer server;
  private final DataDir.Lock lock;
  private final BrokerSecurity security;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafkaBroker(
      BrokerOptions options,
      String advertisedHost,
      int port,
      int controllerPort,
      String clusterId,
      boolean formatted,
      long formatMillis,
      long startMillis,
      KafkaRaftServer server,
      DataDir.Lock lock,
      BrokerSecurity security) {
    this.options = options;
    this.advertisedHost = advertisedHost;
    this.port = port;
    this.controllerPort = controllerPort;
    this.clusterId = clusterId;
    this.formatted = formatted;
    this.formatMillis = formatMillis;
    this.startMillis = startMillis;
    this.server = server;
    this.lock = lock;
    this.security = security;
  }

  /**
   * Formats {@code options.dataDir()} if it holds no Kafka storage yet, then starts the broker and
   * returns once it accepts clients (the broker is registered and unfenced).
   *
   * @throws BrokerStartException with a message meant for people: non-loopback host, port in use,
   *     data dir locked by another broker, format failure
   */
  public static EmbeddedKafkaBroker start(BrokerOptions options) {
    String bindHost = BrokerAddresses.checkHost(options);
    Path dataDir = options.dataDir();
    Path logDir = dataDir.resolve(LOG_DIR);
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new BrokerStartException("cannot create data dir " + dataDir + ": " + e, e);
    }

    // Seen with Kafka 4.4: Kafka's own .lock did not stop a second broker (other ports) on the same
    // log dir before it read the metadata log being written by the first (CorruptRecordException,
    // JVM halted by the fault handler). Our lock comes first and also guards our state file.
    DataDir.Lock lock = DataDir.Lock.acquire(dataDir);
    try {
      return start(options, bindHost, lock);
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }

  private static EmbeddedKafkaBroker start(
      BrokerOptions options, String bindHost, DataDir.Lock lock) {
    Path dataDir = options.dataDir();
    Path logDir = dataDir.resolve(LOG_DIR);
    Path stateFile = dataDir.resolve(STATE_FILE);
    Properties state = DataDir.load(stateFile);
    Path metaFile = logDir.resolve("meta.properties");
    boolean alreadyFormatted = Files.exists(metaFile);

    int port =
        BrokerAddresses.choosePort(
            "port", options.port(), state.getProperty(KEY_PORT), bindHost, -1, false, stateFile);
    // The controller port is internal to this node: seen with 4.4, a standalone-formatted node
    // restarts
    // fine on another controller port, so a persisted one that is now taken is replaced, not fatal.
    int controllerPort =
        BrokerAddresses.choosePort(
            "controller port",
            options.controllerPort(),
            state.getProperty(KEY_CONTROLLER_PORT),
            bindHost,
            port,
            true,
            stateFile);

    Quorum quorum = options.quorum();
    String clusterId =
        alreadyFormatted
            ? DataDir.load(metaFile).getProperty(KEY_CLUSTER_ID, state.getProperty(KEY_CLUSTER_ID))
            : quorum != null
                ? quorum.clusterId()
                : state.getProperty(KEY_CLUSTER_ID, Uuid.randomUuid().toString());
    state.setProperty(KEY_CLUSTER_ID, clusterId);
    state.setProperty(KEY_PORT, Integer.toString(port));
    state.setProperty(KEY_CONTROLLER_PORT, Integer.toString(controllerPort));
    DataDir.store(
        state, stateFile, "Rollout Ledger broker: kept stable across restarts of this data dir");

    String advertisedHost = BrokerAddresses.advertisedHost(bindHost);
    Map<String, String> config =
        kafkaConfig(bindHost, advertisedHost, port, controllerPort, logDir, quorum);
    BrokerSecurity security = null;
    if (options.closed()) {
      security = new BrokerSecurity(dataDir, options.serverApplicationId(), options.tls());
      security.ensureDefaultCredentials();
      security.closeListeners(config, bindHost, advertisedHost, port, controllerPort);
      config.putAll(security.kafkaConfig());
    }
    Properties props = new Properties();
    props.putAll(config);
    // for people and the format step; the node's own password is never written
    Properties shown = new Properties();
    config.forEach((k, v) -> shown.put(k, BrokerSecurity.secret(k) ? BrokerSecurity.REDACTED : v));
    Path serverProperties = dataDir.resolve(SERVER_PROPERTIES);
    DataDir.store(
        shown,
        serverProperties,
        "Generated by EmbeddedKafkaBroker on each start; edits are overwritten");

    long formatMillis = 0;
    if (!alreadyFormatted) {
      long t0 = System.nanoTime();
      format(clusterId, serverProperties, quorum == null);
      formatMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    long t1 = System.nanoTime();
    KafkaRaftServer server;
    try {
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    } catch (RuntimeException e) {
      throw new BrokerStartException(
          "invalid Kafka configuration or storage in " + logDir + ": " + e.getMessage(), e);
    }
    try {
      server.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(server);
      throw new BrokerStartException(describeStartupFailure(e, logDir), e);
    }
    if (security != null) {
      security.grant(BrokerAddresses.hostPort(advertisedHost, port), () -> shutdownQuietly(server));
    }
    long startMillis = (System.nanoTime() - t1) / 1_000_000;
    EmbeddedKafkaBroker broker =
        new EmbeddedKafkaBroker(
            options,
            advertisedHost,
            port,
            controllerPort,
            clusterId,
            !alreadyFormatted,
            formatMillis,
            startMillis,
            server,
            lock,
            security);
    LOG.info(
        "Kafka broker up on {} ({}, cluster {}, data {}, formatted {} in {} ms, started in {} ms)",
        broker.bootstrapServers(),
        security == null
            ? "open: no authentication"
            : "closed: "
                + security.clientListener()
                + " SCRAM, credentials in "
                + dataDir.resolve(BrokerSecurity.CREDENTIALS_DIR),
        clusterId,
        dataDir,
        broker.formatted,
        formatMillis,
        startMillis);
    return broker;
  }

  /** Whether clients must authenticate (SASL/SCRAM) and are bound by ACLs. */
  public boolean closed() {
    return security != null;
  }

  /**
   * How principal {@code user} reaches this broker (its generated credentials file); on an open
   * broker, plaintext whatever the user.
   */
  public KafkaConnection connection(String user) {
    return security == null
        ? KafkaConnection.plaintext(bootstrapServers())
        : BrokerSecurity.connection(dataDir(), user, bootstrapServers());
  }

  /** A super user's connection: the admin principal when closed. */
  public KafkaConnection adminConnection() {
    return connection(BrokerSecurity.ADMIN_USER);
  }

  /**
   * Makes (if missing) the credentials file of principal {@code user} in {@code role} and grants it
   * on this running broker; returns the file.
   */
  public Path addPrincipal(String user, KafkaRole role) {
    if (security == null) {
      throw new IllegalStateException("an open broker has no principals");
    }
    Path file = security.ensureCredentials(user, role);
    security.grant(bootstrapServers(), null);
    return file;
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}, e.g. {@code 127.0.0.1:9092}. */
  public String bootstrapServers() {
    return BrokerAddresses.hostPort(advertisedHost, port);
  }

  public int port() {
    return port;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public String clusterId() {
    return clusterId;
  }

  public Path dataDir() {
    return options.dataDir();
  }

  public BrokerOptions options() {
    return options;
  }

  /** Whether this start formatted the storage (a fresh data dir). */
  public boolean formattedOnStart() {
    return formatted;
  }

  /** Time spent formatting storage on this start; 0 when it was already formatted. */
  public long formatMillis() {
    return formatMillis;
  }

  /** Time from creating the server until it accepted clients (unfenced), format excluded. */
  public long startMillis() {
    return startMillis;
  }

  /** Shuts the broker and controller down cleanly and waits for it; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      long t0 = System.nanoTime();
      try {
        server.shutdown();
        server.awaitShutdown();
      } finally {
        lock.close();
      }
      LOG.info(
          "Kafka broker on {} shut down in {} ms",
          bootstrapServers(),
          (System.nanoTime() - t0) / 1_000_000);
    }
  }

  // ---------------------------------------------------------------------------------------------

  static Map<String, String> kafkaConfig(
      String bindHost, String advertisedHost, int port, int controllerPort, Path logDir) {
    return kafkaConfig(bindHost, advertisedHost, port, controllerPort, logDir, null);
  }

  /** As above; with a {@code quorum}, node {@code quorum.nodeId()} of a static-quorum cluster. */
  static Map<String, String> kafkaConfig(
      String bindHost,
      String advertisedHost,
      int port,
      int controllerPort,
      Path logDir,
      Quorum quorum) {
    Map<String, String> c = new TreeMap<>();
    c.put("node.id", Integer.toString(quorum == null ? NODE_ID : quorum.nodeId()));
    c.put("process.roles", "broker,controller");
    if (quorum == null) {
      c.put(
          "controller.quorum.bootstrap.servers",
          BrokerAddresses.hostPort(BrokerAddresses.loopbackFor(bindHost), controllerPort));
    } else {
      c.put("controller.quorum.voters", quorum.voters(BrokerAddresses.loopbackFor(bindHost)));
    }
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put(
        "listeners",
        "PLAINTEXT://"
            + BrokerAddresses.hostPort(bindHost, port)
            + ",CONTROLLER://"
            + BrokerAddresses.hostPort(bindHost, controllerPort));
    c.put("advertised.listeners", "PLAINTEXT://" + BrokerAddresses.hostPort(advertisedHost, port));
    c.put("log.dirs", logDir.toString());
    // one node: every internal topic with replication factor 1; a cluster: the quorum's
    String rf = Integer.toString(quorum == null ? 1 : quorum.replicationFactor());
    String minIsr = Integer.toString(quorum == null ? 1 : quorum.minInsyncReplicas());
    c.put("num.partitions", "1");
    c.put("default.replication.factor", rf);
    c.put("min.insync.replicas", minIsr);
    c.put("offsets.topic.replication.factor", rf);
    c.put("offsets.topic.num.partitions", "4");
    c.put("transaction.state.log.replication.factor", rf);
    c.put("transaction.state.log.min.isr", minIsr);
    c.put("transaction.state.log.num.partitions", "4");
    c.put("share.coordinator.state.topic.replication.factor", rf);
    c.put("share.coordinator.state.topic.min.isr", minIsr);
    // dev box: no waiting for more group members, no topics created by typos
    c.put("group.initial.rebalance.delay.ms", "0");
    c.put("auto.create.topics.enable", "false");
    // the cleaner's dedupe buffer is allocated on start (128 MiB by default); a dev box needs less
    c.put("log.cleaner.dedupe.buffer.size", Integer.toString(32 * 1024 * 1024));
    return c;
  }

  /**
   * {@code standalone}: a single node that is its own quorum (dynamic, {@code --standalone}); else
   * a node of a static quorum, whose voters are in the config.
   */
  private static void format(String clusterId, Path serverProperties, boolean standalone) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      // StorageTool.main would System.exit; execute returns the exit code
      rc =
          StorageTool.execute(
              standalone
                  ? new String[] {
                    "format", "-t", clusterId, "-c", serverProperties.toString(), "--standalone"
                  }
                  : new String[] {"format", "-t", clusterId, "-c", serverProperties.toString()},
              out);
    } catch (RuntimeException e) {
      throw new BrokerStartException(
          "formatting Kafka storage in "
              + serverProperties.getParent()
              + " failed: "
              + e.getMessage(),
          e);
    }
    String output = buffer.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new BrokerStartException(
          "formatting Kafka storage in "
              + serverProperties.getParent()
              + " failed (exit "
              + rc
              + "): "
              + output);
    }
    LOG.info("{}", output);
  }

  private static String describeStartupFailure(RuntimeException e, Path logDir) {
    StringBuilder causes = new StringBuilder();
    for (Throwable t = e; t != null && causes.length() < 2000; t = t.getCause()) {
      if (causes.length() > 0) {
        causes.append(" <- ");
      }
      causes.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    String text = causes.toString();
    if (text.contains("Failed to acquire lock") || text.contains(".lock")) {
      return "the data dir " + logDir + " is in use by another Kafka broker (" + text + ")";
    }
    return "Kafka broker failed to start on " + logDir + ": " + text;
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException suppressed) {
      LOG.debug("shutdown after failed start", suppressed);
    }
  }

  /** Another broker (in this JVM or another process) runs on the data dir. */
  public static final class DataDirInUseException extends BrokerStartException {
    private static final long serialVersionUID = 1L;

    DataDirInUseException(Path dataDir) {
      super(
          "the data dir "
              + dataDir
              + " is in use by another ledger broker; stop it first, or use another --data-dir");
    }
  }

  /** A broker could not start; the message says why in words meant for people. */
  public static class BrokerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerStartException(String message) {
      super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The requested host is not a loopback address and non-loopback was not allowed. */
  public static final class NonLoopbackHostException extends BrokerStartException {
    private static final long serialVersionUID = 1L;

    NonLoopbackHostException(String host, String address) {
      super(
          "refusing to listen on non-loopback host '"
              + host
              + "' ("
              + address
              + "): this broker has no authentication or encryption. Use 127.0.0.1, or allow it"
              + " explicitly (--allow-non-loopback / BrokerOptions.allowNonLoopback)");
    }
  }

  /** The port to listen on is taken. */
  public static final class PortInUseException extends BrokerStartException {
    private static final long serialVersionUID = 1L;
    private final int port;

    PortInUseException(String what, String host, int port, boolean persisted, Path stateFile) {
      super(
          persisted
              ? what
                  + " "
                  + port
                  + " on "
                  + host
                  + " is already in use; it was chosen on the first start of this data dir and kept in "
                  + stateFile
                  + ". Stop whatever holds it (another ledger broker on the same data dir?), or pass a"
                  + " port explicitly"
              : what
                  + " "
                  + port
                  + " on "
                  + host
                  + " is already in use (another Kafka?). Choose another one"
                  + (what.startsWith("controller") ? " with --controller-port N" : " with --port N")
                  + " (0 picks a free one), or point the services at the running cluster with"
                  + " KAFKA_BOOTSTRAP_SERVERS");
      this.port = port;
    }

    public int port() {
      return port;
    }
  }
}
