package dev.rolloutledger.infra;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to start an {@link EmbeddedKafkaBroker}.
 *
 * @param dataDir where everything lives: the Kafka log (all events), the KRaft metadata log, the
 *     persisted cluster id and ports. Restarting on the same directory keeps every event.
 * @param host the address to listen on and advertise; {@code 127.0.0.1} by default. Anything that
 *     is not a loopback address is refused unless {@code allowNonLoopback} is set.
 * @param port the client (PLAINTEXT) port; {@code 0} picks a free port on the first start and
 *     reuses it on every later start of the same {@code dataDir}
 * @param controllerPort the KRaft controller port; {@code 0} behaves like {@code port}
 * @param allowNonLoopback listen on a non-loopback address (the broker has no authentication)
 * @param quorum null for the single standalone node; otherwise this node's place in a multi-node
 *     cluster, which then needs an explicit {@code port} and its voter's {@code controllerPort}
 */
public record BrokerOptions(
    Path dataDir,
    String host,
    int port,
    int controllerPort,
    boolean allowNonLoopback,
    Quorum quorum,
    boolean closed,
    String serverApplicationId,
    boolean tls) {

  public static final String DEFAULT_HOST = "127.0.0.1";

  /** The server's Kafka Streams application id by default (application.yml). */
  public static final String DEFAULT_APPLICATION_ID = "rollout-ledger";

  public BrokerOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    dataDir = dataDir.toAbsolutePath().normalize();
    host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
    serverApplicationId =
        serverApplicationId == null || serverApplicationId.isBlank()
            ? DEFAULT_APPLICATION_ID
            : serverApplicationId.trim();
    if (tls && !closed) {
      throw new IllegalArgumentException("TLS goes with a closed broker (SASL_SSL)");
    }
    if (closed && quorum != null) {
      throw new IllegalArgumentException("a node of a cluster (quorum) cannot be closed yet");
    }
    checkPort("port", port);
    checkPort("controllerPort", controllerPort);
    if (port != 0 && port == controllerPort) {
      throw new IllegalArgumentException("port and controllerPort must differ, both are " + port);
    }
    if (quorum != null && (port == 0 || controllerPort != quorum.controllerPort())) {
      throw new IllegalArgumentException(
          "a cluster node needs an explicit port and the controller port of its voter ("
              + quorum.controllerPort()
              + "), was port "
              + port
              + ", controllerPort "
              + controllerPort);
    }
  }

  /** A single standalone node. */
  public BrokerOptions(
      Path dataDir, String host, int port, int controllerPort, boolean allowNonLoopback) {
    this(dataDir, host, port, controllerPort, allowNonLoopback, null);
  }

  /** An open node (no authentication), as before the closed mode. */
  public BrokerOptions(
      Path dataDir,
      String host,
      int port,
      int controllerPort,
      boolean allowNonLoopback,
      Quorum quorum) {
    this(dataDir, host, port, controllerPort, allowNonLoopback, quorum, false, null, false);
  }

  /**
   * Closed (SASL/SCRAM, ACLs, generated credentials; {@link BrokerSecurity}) or open (no
   * authentication: tests, a private network).
   */
  public BrokerOptions withClosed(boolean isClosed) {
    return new BrokerOptions(
        dataDir,
        host,
        port,
        controllerPort,
        allowNonLoopback,
        quorum,
        isClosed,
        serverApplicationId,
        isClosed && tls);
  }

  /** SASL_SSL instead of SASL_PLAINTEXT, with a self-signed certificate (closed only). */
  public BrokerOptions withTls(boolean withTls) {
    return new BrokerOptions(
        dataDir,
        host,
        port,
        controllerPort,
        allowNonLoopback,
        quorum,
        closed,
        serverApplicationId,
        withTls);
  }

  /** The server's Streams application id, whose internal topics and groups its principal owns. */
  public BrokerOptions withServerApplicationId(String applicationId) {
    return new BrokerOptions(
        dataDir, host, port, controllerPort, allowNonLoopback, quorum, closed, applicationId, tls);
  }

  /** Node {@code quorum.nodeId()} of a multi-node cluster on loopback. */
  public static BrokerOptions clusterNode(Path dataDir, int port, Quorum quorum) {
    return new BrokerOptions(dataDir, DEFAULT_HOST, port, quorum.controllerPort(), false, quorum);
  }

  /** Loopback only. */
  public BrokerOptions(Path dataDir, String host, int port, int controllerPort) {
    this(dataDir, host, port, controllerPort, false);
  }

  /** 127.0.0.1, free ports chosen on the first start and kept for later starts. */
  public static BrokerOptions of(Path dataDir) {
    return new BrokerOptions(dataDir, DEFAULT_HOST, 0, 0, false);
  }

  /** As {@link #of}, closed: SASL/SCRAM, ACLs, credentials in {@code dataDir/credentials}. */
  public static BrokerOptions closed(Path dataDir) {
    return of(dataDir).withClosed(true);
  }

  public BrokerOptions withHost(String newHost) {
    return new BrokerOptions(
        dataDir,
        newHost,
        port,
        controllerPort,
        allowNonLoopback,
        quorum,
        closed,
        serverApplicationId,
        tls);
  }

  public BrokerOptions withPort(int newPort) {
    return new BrokerOptions(
        dataDir,
        host,
        newPort,
        controllerPort,
        allowNonLoopback,
        quorum,
        closed,
        serverApplicationId,
        tls);
  }

  public BrokerOptions withControllerPort(int newControllerPort) {
    return new BrokerOptions(
        dataDir,
        host,
        port,
        newControllerPort,
        allowNonLoopback,
        quorum,
        closed,
        serverApplicationId,
        tls);
  }

  public BrokerOptions withAllowNonLoopback(boolean allow) {
    return new BrokerOptions(
        dataDir, host, port, controllerPort, allow, quorum, closed, serverApplicationId, tls);
  }

  private static void checkPort(String what, int value) {
    if (value < 0 || value > 65535) {
      throw new IllegalArgumentException(what + " must be 0..65535, was " + value);
    }
  }
}
