package dev.rolloutledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rolloutledger.infra.EmbeddedKafkaBroker.NonLoopbackHostException;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker in this JVM: topics, a plain and a transactional producer, a read_committed
 * consumer, and a restart on the same data dir that keeps every event. Loopback only.
 */
class EmbeddedKafkaBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void startsInstallsTopicsKeepsEventsAcrossRestart() throws Exception {
    Path dataDir = tmp.resolve("kafka");
    List<String> topicNames = Topics.all().stream().map(TopicDescriptor::name).toList();
    String topic = Topics.COMMANDS.name();
    int port;
    int controllerPort;
    String clusterId;

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.of(dataDir))) {
      port = broker.port();
      controllerPort = broker.controllerPort();
      clusterId = broker.clusterId();
      assertThat(broker.formattedOnStart()).isTrue();
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      assertThat(dataDir.resolve(EmbeddedKafkaBroker.LOG_DIR).resolve("meta.properties")).exists();
      // a second broker on the same data dir is refused before it reads the log Kafka is writing
      assertThatThrownBy(
              () ->
                  EmbeddedKafkaBroker.start(new BrokerOptions(dataDir, "127.0.0.1", 0, 0)).close())
          .isInstanceOf(EmbeddedKafkaBroker.DataDirInUseException.class)
          .hasMessageContaining("in use by another ledger broker");

      try (Admin admin = admin(broker)) {
        assertThat(TopicInstaller.ensureTopics(admin, Topics.all()))
            .containsExactlyElementsOf(topicNames);
        assertThat(TopicInstaller.ensureTopics(admin, Topics.all())).isEmpty();
        assertTopicsAsDeclared(admin);
      }

      // plain producer
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig(broker, null))) {
        producer.send(new ProducerRecord<>(topic, 0, "tenant-a/host-1", "plain")).get();
      }
      // transactional producer, as the streams app runs with exactly_once_v2: one aborted, one
      // committed
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerConfig(broker, "ledger-broker-test-tx"))) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, 0, "tenant-a/host-1", "aborted"));
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic, 0, "tenant-a/host-1", "committed"));
        producer.commitTransaction();
      }

      assertThat(readCommitted(broker, topic, 2)).containsExactly("plain", "committed");
    }

    assertThat(BrokerAddresses.isFree("127.0.0.1", port)).isTrue();

    // restart on the same data dir: no reformat, same client port and cluster, every event still
    // there;
    // the kept controller port is taken meanwhile, so the node moves its controller to another port
    try (ServerSocket squatter = new ServerSocket();
        EmbeddedKafkaBroker broker = startWithPortTaken(squatter, controllerPort, dataDir)) {
      assertThat(broker.formattedOnStart()).isFalse();
      assertThat(broker.formatMillis()).isZero();
      assertThat(broker.port()).isEqualTo(port);
      assertThat(broker.controllerPort()).isNotEqualTo(controllerPort);
      assertThat(broker.clusterId()).isEqualTo(clusterId);
      try (Admin admin = admin(broker)) {
        assertThat(TopicInstaller.ensureTopics(admin, Topics.all())).isEmpty();
        assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
      }
      assertThat(readCommitted(broker, topic, 2)).containsExactly("plain", "committed");

      // --topics-only against a running cluster: nothing missing, the line on stdout, exit 0
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc =
          BrokerMain.run(
              new String[] {"--topics-only"},
              Map.of(BrokerMain.ENV_BOOTSTRAP, broker.bootstrapServers()),
              print(out),
              print(err));
      assertThat(rc).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers() + System.lineSeparator());
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("0 of " + topicNames.size());
    }
  }

  @Test
  void refusesNonLoopbackHost() {
    Path dataDir = tmp.resolve("refused");
    for (String host :
        List.of("0.0.0.0", "192.0.2.10")) { // wildcard, and TEST-NET-1 (never routed)
      assertThatThrownBy(() -> EmbeddedKafkaBroker.start(new BrokerOptions(dataDir, host, 0, 0)))
          .isInstanceOf(NonLoopbackHostException.class)
          .hasMessageContaining("non-loopback")
          .hasMessageContaining(host)
          .hasMessageContaining("--allow-non-loopback");
    }
    assertThat(dataDir).doesNotExist(); // refused before touching anything
  }

  @Test
  void mainRefusesNonLoopbackHostWithClearMessage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        BrokerMain.run(
            new String[] {"--data-dir", tmp.resolve("d").toString(), "--host", "0.0.0.0"},
            Map.of(),
            print(out),
            print(err));
    assertThat(rc).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("refusing to listen on non-loopback host '0.0.0.0'")
        .contains("--allow-non-loopback");
  }

  @Test
  void mainFailsClearlyWhenPortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int rc =
          BrokerMain.run(
              new String[] {
                "--data-dir", tmp.resolve("d").toString(), "--port", Integer.toString(port)
              },
              Map.of(),
              print(out),
              print(err));
      assertThat(rc).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("port " + port + " on 127.0.0.1 is already in use")
          .contains("--port N");
    }
  }

  @Test
  void parsesFlagsAndEnvironment() throws Exception {
    BrokerArgs defaults = BrokerArgs.parse(new String[0], Map.of());
    assertThat(defaults.dataDir()).isEqualTo(Path.of(".ledger/kafka").toAbsolutePath().normalize());
    assertThat(defaults.readyFile())
        .isEqualTo(Path.of(".ledger/broker.ready").toAbsolutePath().normalize());
    assertThat(defaults.port()).isEqualTo(9092);
    assertThat(defaults.controllerPort()).isZero();
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.allowNonLoopback()).isFalse();
    assertThat(defaults.verbose()).isFalse();

    BrokerArgs fromEnv =
        BrokerArgs.parse(
            new String[0],
            Map.of(BrokerMain.ENV_PORT, "19092", BrokerMain.ENV_DATA_DIR, "/tmp/x/k"));
    assertThat(fromEnv.port()).isEqualTo(19092);
    assertThat(fromEnv.readyFile()).isEqualTo(Path.of("/tmp/x/broker.ready"));

    BrokerArgs flags =
        BrokerArgs.parse(
            new String[] {
              "--data-dir",
              "/tmp/y/kafka",
              "--port=0",
              "--controller-port",
              "19093",
              "--host",
              "::1",
              "--allow-non-loopback",
              "--verbose"
            },
            Map.of(BrokerMain.ENV_PORT, "19092"));
    assertThat(flags.port()).isZero();
    assertThat(flags.controllerPort()).isEqualTo(19093);
    assertThat(flags.host()).isEqualTo("::1");
    assertThat(flags.allowNonLoopback()).isTrue();
    assertThat(flags.verbose()).isTrue();

    assertThatThrownBy(() -> BrokerArgs.parse(new String[] {"--port", "70000"}, Map.of()))
        .hasMessageContaining("--port must be a port number");
    assertThatThrownBy(() -> BrokerArgs.parse(new String[] {"--topics-only"}, Map.of()))
        .hasMessageContaining("--bootstrap-servers");
    BrokerArgs topicsOnly =
        BrokerArgs.parse(
            new String[] {
              "--topics-only", "--bootstrap-servers", "k1:9092,k2:9092", "--replication-factor", "3"
            },
            Map.of());
    assertThat(topicsOnly.topicsOnlyBootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(topicsOnly.replicationFactor()).isEqualTo((short) 3);
    assertThatThrownBy(() -> BrokerArgs.parse(new String[] {"--nope"}, Map.of()))
        .hasMessageContaining("unknown argument '--nope'");
    assertThat(BrokerAddresses.hostPort("::1", 9092)).isEqualTo("[::1]:9092");
  }

  // ---------------------------------------------------------------------------------------------

  private static void assertTopicsAsDeclared(Admin admin) throws Exception {
    List<String> names = Topics.all().stream().map(TopicDescriptor::name).toList();
    Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    var configs = admin.describeConfigs(resources).all().get();
    for (TopicDescriptor<?, ?> t : Topics.all()) {
      assertThat(described.get(t.name()).partitions()).hasSize(t.partitions());
      assertThat(described.get(t.name()).partitions().get(0).replicas()).hasSize(1);
      var config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
          .as("cleanup.policy of %s", t.name())
          .isEqualTo(t.cleanupPolicy());
      t.configs()
          .forEach(
              (k, v) -> assertThat(config.get(k).value()).as("%s of %s", k, t.name()).isEqualTo(v));
    }
  }

  private static EmbeddedKafkaBroker startWithPortTaken(
      ServerSocket squatter, int port, Path dataDir) throws IOException {
    squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return EmbeddedKafkaBroker.start(BrokerOptions.of(dataDir));
  }

  private static List<String> readCommitted(
      EmbeddedKafkaBroker broker, String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                  values.add(r.value());
                }
                return values.size() >= expected;
              });
      // nothing else (the aborted record) shows up after the committed one
      consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
    }
    return values;
  }

  private static Map<String, Object> producerConfig(
      EmbeddedKafkaBroker broker, String transactionalId) {
    Map<String, Object> config =
        new java.util.HashMap<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.ACKS_CONFIG,
                "all"));
    if (transactionalId != null) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return config;
  }

  private static Admin admin(EmbeddedKafkaBroker broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private static PrintStream print(ByteArrayOutputStream buffer) {
    return new PrintStream(buffer, true, StandardCharsets.UTF_8);
  }
}
