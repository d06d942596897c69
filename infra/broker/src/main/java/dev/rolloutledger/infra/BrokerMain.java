package dev.rolloutledger.infra;

import dev.rolloutledger.infra.EmbeddedKafkaBroker.BrokerStartException;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Runs the local Kafka broker of Rollout Ledger until SIGTERM or SIGINT.
 *
 * <pre>
 * infra/broker/ledger-broker.sh [--data-dir DIR] [--port N] [--controller-port N] [--host H]
 *      [--allow-non-loopback] [--ready-file FILE] [--verbose]
 * infra/broker/ledger-broker.sh --topics-only --bootstrap-servers HOST:PORT [--admin-config FILE]
 * </pre>
 *
 * <p>When the broker accepts clients and every topic of {@link Topics#all()} exists, prints exactly
 * one line on stdout, {@code KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092}, and writes the same line to
 * the ready file ({@code DATA_DIR/../broker.ready} by default), which is deleted on shutdown.
 * Everything else goes to stderr. Exit codes: 1 when the broker could not start, 2 for bad
 * arguments; after a signal the JVM's own (143 for SIGTERM, 130 for SIGINT) once the broker has
 * shut down cleanly.
 */
public final class BrokerMain {

  static final String ENV_DATA_DIR = "LEDGER_KAFKA_DATA_DIR";
  static final String ENV_PORT = "LEDGER_KAFKA_PORT";
  static final String ENV_CONTROLLER_PORT = "LEDGER_KAFKA_CONTROLLER_PORT";
  static final String ENV_HOST = "LEDGER_KAFKA_HOST";
  static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
  static final String DEFAULT_DATA_DIR = ".ledger/kafka";
  static final int DEFAULT_PORT = 9092;
  static final String READY_FILE = "broker.ready";

  private BrokerMain() {}

  public static void main(String[] args) {
    int rc = run(args, System.getenv(), System.out, System.err);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /**
   * Starts the broker, installs the topics, announces readiness and blocks until the JVM shuts
   * down. Returns only on failure (or after {@code --help}).
   */
  static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    BrokerArgs args;
    try {
      args = BrokerArgs.parse(argv, env);
    } catch (BrokerArgs.UsageException e) {
      err.println("ledger-broker: " + e.getMessage());
      err.println(BrokerArgs.USAGE);
      return 2;
    }
    if (args.help()) {
      out.println(BrokerArgs.USAGE);
      return 0;
    }
    // before the first logger is created: slf4j-simple reads this once
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", args.verbose() ? "info" : "warn");

    if (args.topicsOnly()) {
      return installTopicsOnly(args, out, err);
    }
    if (args.addUser() != null) {
      return AddPrincipal.run(args, out, err);
    }

    BrokerOptions options =
        new BrokerOptions(
                args.dataDir(),
                args.host(),
                args.port(),
                args.controllerPort(),
                args.allowNonLoopback())
            .withClosed(!args.open())
            .withTls(args.tls())
            .withServerApplicationId(args.applicationId());
    try {
      removeStaleReadyFile(args.readyFile());
    } catch (IOException e) {
      err.println("ledger-broker: cannot remove stale ready file " + args.readyFile() + ": " + e);
      return 1;
    }

    ReentrantLock lifecycle = new ReentrantLock();
    EmbeddedKafkaBroker[] running = new EmbeddedKafkaBroker[1];
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              stopping.set(true);
              try {
                // wait for a start in progress, so a Ctrl-C during start still shuts down cleanly
                if (lifecycle.tryLock(60, TimeUnit.SECONDS)) {
                  try {
                    if (running[0] != null) {
                      err.println("ledger-broker: shutting down " + running[0].bootstrapServers());
                      running[0].close();
                      err.println("ledger-broker: stopped cleanly");
                    }
                  } finally {
                    lifecycle.unlock();
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                err.println("ledger-broker: error while shutting down: " + e);
              } finally {
                deleteQuietly(args.readyFile());
                stopped.countDown();
              }
            },
            "ledger-broker-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    EmbeddedKafkaBroker broker;
    long topicsMillis;
    List<String> created;
    int topicCount;
    lifecycle.lock();
    try {
      broker = EmbeddedKafkaBroker.start(options);
      running[0] = broker;
      long t0 = System.nanoTime();
      List<TopicDescriptor<?, ?>> topics = Topics.all();
      topicCount = topics.size();
      Properties installer = broker.adminConnection().properties();
      installer.put(AdminClientConfig.CLIENT_ID_CONFIG, "ledger-broker-topic-installer");
      try (Admin admin = Admin.create(installer)) {
        created = TopicInstaller.ensureTopics(admin, topics);
        awaitLeaders(admin, topics, Duration.ofSeconds(30));
      }
      topicsMillis = (System.nanoTime() - t0) / 1_000_000;
    } catch (BrokerStartException | TopicInstaller.TopicInstallException e) {
      err.println("ledger-broker: error: " + e.getMessage());
      closeQuietly(running, err);
      removeHook(hook);
      return 1;
    } catch (RuntimeException | InterruptedException | ExecutionException e) {
      err.println("ledger-broker: error: " + e);
      closeQuietly(running, err);
      removeHook(hook);
      return 1;
    } finally {
      lifecycle.unlock();
    }

    if (stopping.get()) {
      awaitQuietly(stopped); // a signal came during start; the hook shuts the broker down
      return 0;
    }
    String line = "KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers();
    try {
      writeAtomically(args.readyFile(), line + "\n");
    } catch (IOException e) {
      err.println("ledger-broker: error: cannot write ready file " + args.readyFile() + ": " + e);
      closeQuietly(running, err);
      removeHook(hook);
      return 1;
    }
    long sinceJvmStart = System.currentTimeMillis() - jvmStart;
    err.printf(
        "ledger-broker: ready in %d ms since JVM start (%s, format %d ms, broker start %d ms, topics %d ms:"
            + " %d of %d created), data in %s%n",
        sinceJvmStart,
        broker.formattedOnStart() ? "fresh data dir" : "existing data dir",
        broker.formatMillis(),
        broker.startMillis(),
        topicsMillis,
        created.size(),
        topicCount,
        broker.dataDir());
    err.println(
        broker.closed()
            ? "ledger-broker: closed (SASL/SCRAM, ACLs); each principal's client settings: "
                + broker.dataDir().resolve(BrokerSecurity.CREDENTIALS_DIR)
                + "/NAME.properties"
            : "ledger-broker: OPEN: no authentication, anyone who reaches the port reads and writes");
    err.flush();
    out.println(line);
    out.flush();

    awaitQuietly(stopped); // the shutdown hook closes the broker; the JVM ends with it
    return 0;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code --topics-only}: create the missing topics on an existing cluster, print the line, exit.
   */
  static int installTopicsOnly(BrokerArgs args, PrintStream out, PrintStream err) {
    Properties config = new Properties();
    if (args.adminConfig() != null) {
      try (Reader reader = Files.newBufferedReader(args.adminConfig(), StandardCharsets.UTF_8)) {
        config.load(reader);
      } catch (IOException e) {
        err.println(
            "ledger-broker: error: cannot read --admin-config " + args.adminConfig() + ": " + e);
        return 1;
      }
    }
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.topicsOnlyBootstrap());
    config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "ledger-broker-topic-installer");
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    List<TopicDescriptor<?, ?>> topics = Topics.all();
    try (Admin admin = Admin.create(config)) {
      List<String> created = TopicInstaller.ensureTopics(admin, topics, args.replicationFactor());
      awaitLeaders(admin, topics, Duration.ofSeconds(30));
      err.printf(
          "ledger-broker: %d of %d ledger topics created on %s %s%n",
          created.size(), topics.size(), args.topicsOnlyBootstrap(), created);
    } catch (RuntimeException | ExecutionException e) {
      err.println(
          "ledger-broker: error: cannot create topics on " + args.topicsOnlyBootstrap() + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    out.println("KAFKA_BOOTSTRAP_SERVERS=" + args.topicsOnlyBootstrap());
    out.flush();
    return 0;
  }

  /**
   * Waits until every partition of the given topics has a leader, so "ready" means produce-ready.
   */
  static void awaitLeaders(
      Admin admin, Collection<? extends TopicDescriptor<?, ?>> topics, Duration timeout)
      throws InterruptedException, ExecutionException {
    List<String> names = new ArrayList<>();
    topics.forEach(t -> names.add(t.name()));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(names).allTopicNames().get();
      boolean allLed =
          descriptions.values().stream()
              .flatMap(d -> d.partitions().stream())
              .map(TopicPartitionInfo::leader)
              .allMatch(leader -> leader != null && !leader.isEmpty());
      if (allLed) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topics " + names + " have no leader after " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /**
   * A ready file left by a broker that died without its shutdown hook (kill -9) would tell waiting
   * scripts the broker is up. Delete it, unless its port is taken (a broker is running there: its
   * file).
   */
  static void removeStaleReadyFile(Path readyFile) throws IOException {
    if (!Files.exists(readyFile)) {
      return;
    }
    String content = Files.readString(readyFile, StandardCharsets.UTF_8).trim();
    String prefix = "KAFKA_BOOTSTRAP_SERVERS=";
    if (content.startsWith(prefix)) {
      String address = content.substring(prefix.length());
      int colon = address.lastIndexOf(':');
      if (colon > 0) {
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        try {
          if (!BrokerAddresses.isFree(host, Integer.parseInt(address.substring(colon + 1)))) {
            return;
          }
        } catch (NumberFormatException e) {
          // not ours: stale
        }
      }
    }
    Files.deleteIfExists(readyFile);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway
    }
  }

  private static void closeQuietly(EmbeddedKafkaBroker[] running, PrintStream err) {
    if (running[0] != null) {
      try {
        running[0].close();
      } catch (RuntimeException e) {
        err.println("ledger-broker: error while shutting down: " + e);
      }
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
