package dev.rolloutledger.infra;

import static dev.rolloutledger.infra.BrokerMain.DEFAULT_DATA_DIR;
import static dev.rolloutledger.infra.BrokerMain.DEFAULT_PORT;
import static dev.rolloutledger.infra.BrokerMain.ENV_BOOTSTRAP;
import static dev.rolloutledger.infra.BrokerMain.ENV_CONTROLLER_PORT;
import static dev.rolloutledger.infra.BrokerMain.ENV_DATA_DIR;
import static dev.rolloutledger.infra.BrokerMain.ENV_HOST;
import static dev.rolloutledger.infra.BrokerMain.ENV_PORT;
import static dev.rolloutledger.infra.BrokerMain.READY_FILE;

import dev.rolloutledger.schemas.TopicInstaller;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** The broker's parsed command line ({@link BrokerMain}), its usage text and its checks. */
record BrokerArgs(
    Path dataDir,
    String host,
    int port,
    int controllerPort,
    boolean allowNonLoopback,
    Path readyFile,
    boolean verbose,
    boolean help,
    String topicsOnlyBootstrap,
    Path adminConfig,
    short replicationFactor,
    boolean open,
    String applicationId,
    String addUser,
    KafkaRole addRole,
    boolean tls) {

  boolean topicsOnly() {
    return topicsOnlyBootstrap != null;
  }

  static final String USAGE =
      String.join(
          "\n",
          "Usage: ledger-broker [options]",
          "  --data-dir DIR          Kafka data (log, metadata, cluster id); default .ledger/kafka"
              + " (env "
              + ENV_DATA_DIR
              + ")",
          "  --port N                client port; default 9092, 0 = a free port kept for this data dir"
              + " (env "
              + ENV_PORT
              + ")",
          "  --controller-port N     KRaft controller port; default 0 = a free port kept for this data dir"
              + " (env "
              + ENV_CONTROLLER_PORT
              + ")",
          "  --host H                address to listen on; default 127.0.0.1 (env "
              + ENV_HOST
              + ")",
          "  --allow-non-loopback    allow a --host that is not a loopback address (no auth, no TLS!)",
          "  --ready-file FILE       where to write KAFKA_BOOTSTRAP_SERVERS=...; default DATA_DIR/../"
              + READY_FILE,
          "  --open                  no authentication (tests, a private network); default: closed,",
          "                          SASL/SCRAM + ACLs, credentials in DATA_DIR/credentials/ (0600)",
          "  --tls                   closed broker on SASL_SSL with a self-signed certificate in",
          "                          DATA_DIR/tls/ (clients' truststore: in their credentials files)",
          "  --application-id ID     the server's Kafka Streams application id, whose internal",
          "                          topics, groups and transactional ids ledger-server owns; default",
          "                          $LEDGER_APPLICATION_ID or "
              + BrokerOptions.DEFAULT_APPLICATION_ID,
          "  --add-user NAME --role server|telemetry|admin",
          "                          make a principal's credentials file and grant its role (on the",
          "                          running broker of DATA_DIR at once, else at its next start); exit",
          "  --verbose               Kafka's INFO logging on stderr (default: warnings only)",
          "  --help                  this text",
          "",
          "Or, with no local broker, create the missing ledger topics on an existing cluster and exit:",
          "  --topics-only           needs --bootstrap-servers HOST:PORT[,...] (or env "
              + ENV_BOOTSTRAP
              + ")",
          "  --admin-config FILE     Kafka client properties for it (security.protocol, sasl.*, ssl.*)",
          "  --replication-factor N  of created topics; default: the cluster's default.replication.factor");

  /** Thrown for a bad command line; the message is for people. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static BrokerArgs parse(String[] argv, Map<String, String> env) throws UsageException {
    Path dataDir = Paths.get(env.getOrDefault(ENV_DATA_DIR, DEFAULT_DATA_DIR));
    String host = env.getOrDefault(ENV_HOST, BrokerOptions.DEFAULT_HOST);
    int port = env.containsKey(ENV_PORT) ? port(ENV_PORT, env.get(ENV_PORT)) : DEFAULT_PORT;
    int controllerPort =
        env.containsKey(ENV_CONTROLLER_PORT)
            ? port(ENV_CONTROLLER_PORT, env.get(ENV_CONTROLLER_PORT))
            : 0;
    boolean allowNonLoopback = false;
    Path readyFile = null;
    boolean verbose = false;
    boolean help = false;
    boolean topicsOnly = false;
    String bootstrap = env.get(ENV_BOOTSTRAP);
    Path adminConfig = null;
    Integer replicationFactor = null;
    boolean open = false;
    boolean tls = false;
    String applicationId =
        env.getOrDefault("LEDGER_APPLICATION_ID", BrokerOptions.DEFAULT_APPLICATION_ID);
    String addUser = null;
    String role = null;
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "--data-dir" -> dataDir = Paths.get(value != null ? value : next(argv, ++i, arg));
        case "--host" -> host = value != null ? value : next(argv, ++i, arg);
        case "--port" -> port = port(arg, value != null ? value : next(argv, ++i, arg));
        case "--controller-port" ->
            controllerPort = port(arg, value != null ? value : next(argv, ++i, arg));
        case "--ready-file" -> readyFile = Paths.get(value != null ? value : next(argv, ++i, arg));
        case "--allow-non-loopback" -> allowNonLoopback = true;
        case "--topics-only" -> topicsOnly = true;
        case "--bootstrap-servers" -> bootstrap = value != null ? value : next(argv, ++i, arg);
        case "--admin-config" ->
            adminConfig = Paths.get(value != null ? value : next(argv, ++i, arg));
        case "--replication-factor" ->
            replicationFactor = replicationFactor(value != null ? value : next(argv, ++i, arg));
        case "--open" -> open = true;
        case "--tls" -> tls = true;
        case "--application-id" -> applicationId = value != null ? value : next(argv, ++i, arg);
        case "--add-user" -> addUser = value != null ? value : next(argv, ++i, arg);
        case "--role" -> role = value != null ? value : next(argv, ++i, arg);
        case "--verbose", "-v" -> verbose = true;
        case "--help", "-h" -> help = true;
        default -> throw new UsageException("unknown argument '" + argv[i] + "'");
      }
    }
    if (host.isBlank()) {
      throw new UsageException("--host must not be empty");
    }
    if (port != 0 && port == controllerPort) {
      throw new UsageException("--port and --controller-port must differ (both " + port + ")");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    if (readyFile == null) {
      Path parent = dataDir.getParent();
      readyFile = (parent != null ? parent : dataDir).resolve(READY_FILE);
    }
    if (topicsOnly && (bootstrap == null || bootstrap.isBlank())) {
      throw new UsageException(
          "--topics-only needs the cluster: --bootstrap-servers HOST:PORT or " + ENV_BOOTSTRAP);
    }
    if (!topicsOnly && (adminConfig != null || replicationFactor != null)) {
      throw new UsageException("--admin-config and --replication-factor go with --topics-only");
    }
    KafkaRole addRole = null;
    if (tls && open) {
      throw new UsageException("--tls goes with a closed broker, not with --open");
    }
    if ((addUser == null) != (role == null)) {
      throw new UsageException("--add-user NAME and --role ROLE go together");
    }
    if (role != null) {
      try {
        addRole = KafkaRole.of(role);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    short rf =
        replicationFactor != null
            ? replicationFactor.shortValue()
            : TopicInstaller.CLUSTER_DEFAULT_REPLICATION_FACTOR;
    return new BrokerArgs(
        dataDir,
        host,
        port,
        controllerPort,
        allowNonLoopback,
        readyFile,
        verbose,
        help,
        topicsOnly ? bootstrap.trim() : null,
        adminConfig,
        rf,
        open,
        applicationId,
        addUser,
        addRole,
        tls);
  }

  private static int replicationFactor(String value) throws UsageException {
    try {
      int rf = Integer.parseInt(value.trim());
      if (rf < 1 || rf > Short.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return rf;
    } catch (NumberFormatException e) {
      throw new UsageException("--replication-factor must be a number >= 1, was '" + value + "'");
    }
  }

  private static String next(String[] argv, int i, String flag) throws UsageException {
    if (i >= argv.length) {
      throw new UsageException(flag + " needs a value");
    }
    return argv[i];
  }

  private static int port(String what, String value) throws UsageException {
    try {
      int p = Integer.parseInt(value.trim());
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new UsageException(what + " must be a port number 0..65535, was '" + value + "'");
    }
  }
}
