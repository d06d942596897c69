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
    Quorum quorum) {

  public static final String DEFAULT_HOST = "127.0.0.1";

  public BrokerOptions {
    Objects.requireNonNull(dataDir, "dataDir");
    dataDir = dataDir.toAbsolutePath().normalize();
    host = host == null || host.isBlank() ? DEFAULT_HOST : host.trim();
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

  public BrokerOptions withHost(String newHost) {
    return new BrokerOptions(dataDir, newHost, port, controllerPort, allowNonLoopback, quorum);
  }

  public BrokerOptions withPort(int newPort) {
    return new BrokerOptions(dataDir, host, newPort, controllerPort, allowNonLoopback, quorum);
  }

  public BrokerOptions withControllerPort(int newControllerPort) {
    return new BrokerOptions(dataDir, host, port, newControllerPort, allowNonLoopback, quorum);
  }

  public BrokerOptions withAllowNonLoopback(boolean allow) {
    return new BrokerOptions(dataDir, host, port, controllerPort, allow, quorum);
  }

  private static void checkPort(String what, int value) {
    if (value < 0 || value > 65535) {
      throw new IllegalArgumentException(what + " must be 0..65535, was " + value);
    }
  }
}
