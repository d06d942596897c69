package dev.rolloutledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The closed broker: SASL/SCRAM, ACLs per role, credentials generated into the data dir. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedBrokerTest {

  @TempDir static Path tmp;
  private Path dataDir; // tmp/kafka: the default ready file, DATA_DIR/../broker.ready, is in tmp
  private EmbeddedKafkaBroker broker;

  @BeforeAll
  void start() {
    dataDir = tmp.resolve("kafka");
    broker = EmbeddedKafkaBroker.start(BrokerOptions.closed(dataDir));
    try (Admin admin = Admin.create(broker.adminConnection().properties())) {
      TopicInstaller.ensureTopics(admin, Topics.all());
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Nested
  class Credentials {
    @Test
    void each_default_principal_gets_a_private_client_properties_file() throws Exception {
      for (String user :
          List.of(
              BrokerSecurity.SERVER_USER,
              BrokerSecurity.TELEMETRY_USER,
              BrokerSecurity.ADMIN_USER)) {
        Path file = BrokerSecurity.credentialsFile(dataDir, user);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .isEqualTo("rw-------");
        assertThat(KafkaConnection.readClientProperties(file))
            .containsEntry("security.protocol", "SASL_PLAINTEXT")
            .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(broker.connection(user).saslUsername()).isEqualTo(user);
      }
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(dataDir.resolve(BrokerSecurity.CREDENTIALS_DIR))))
          .isEqualTo("rwx------");
    }

    @Test
    void server_properties_shows_no_password() throws Exception {
      String written =
          Files.readString(
              dataDir.resolve(EmbeddedKafkaBroker.SERVER_PROPERTIES), StandardCharsets.UTF_8);

      assertThat(written).contains("StandardAuthorizer").doesNotContain("password=");
      for (String user : List.of(BrokerSecurity.SERVER_USER, BrokerSecurity.ADMIN_USER)) {
        String jaas = broker.connection(user).settings().get("sasl.jaas.config");
        String password = jaas.replaceAll(".*password=\"([^\"]*)\".*", "$1");
        assertThat(written).doesNotContain(password);
      }
    }
  }

  @Nested
  class Doors {
    @Test
    void an_anonymous_client_cannot_reach_the_broker() {
      Properties p = KafkaConnection.plaintext(broker.bootstrapServers()).properties();
      p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
      p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);

      try (Admin anonymous = Admin.create(p)) {
        assertThatThrownBy(() -> anonymous.listTopics().names().get())
            .isInstanceOf(ExecutionException.class);
      }
    }

    @Test
    void a_wrong_password_is_refused() {
      KafkaConnection wrong =
          KafkaConnection.sasl(
              broker.bootstrapServers(),
              "SASL_PLAINTEXT",
              "SCRAM-SHA-512",
              BrokerSecurity.SERVER_USER,
              "not-the-password");

      try (KafkaProducer<String, String> producer = producer(wrong)) {
        assertThatThrownBy(() -> send(producer, Topics.TELEMETRY.name()))
            .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(SaslAuthenticationException.class));
      }
    }

    @Test
    void telemetry_writes_the_input_topics_and_nothing_the_server_alone_writes() throws Exception {
      try (KafkaProducer<String, String> telemetry =
          producer(broker.connection(BrokerSecurity.TELEMETRY_USER))) {
        for (String input : KafkaRole.INPUT_TOPICS) {
          assertThat(send(telemetry, input).topic()).isEqualTo(input);
        }
        for (String serverOnly :
            List.of(
                Topics.TOKENS.name(),
                Topics.LEDGER.name(),
                Topics.COMMANDS.name(),
                Topics.SCHEMAS.name())) {
          assertThatThrownBy(() -> send(telemetry, serverOnly))
              .as(serverOnly)
              .satisfies(
                  e -> assertThat(rootOf(e)).isInstanceOf(TopicAuthorizationException.class));
        }
      }
    }

    @Test
    void telemetry_cannot_read_the_tokens() {
      Properties p = broker.connection(BrokerSecurity.TELEMETRY_USER).properties();
      p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition tokens = new TopicPartition(Topics.TOKENS.name(), 0);
        consumer.assign(List.of(tokens));
        consumer.seekToBeginning(List.of(tokens));

        assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5)))
            .isInstanceOf(TopicAuthorizationException.class);
      }
    }

    @Test
    void the_server_writes_the_tokens() throws Exception {
      try (KafkaProducer<String, String> server =
          producer(broker.connection(BrokerSecurity.SERVER_USER))) {
        assertThat(send(server, Topics.TOKENS.name()).offset()).isGreaterThanOrEqualTo(0);
      }
    }

    @Test
    void an_added_principal_gets_its_file_and_its_role_at_once() throws Exception {
      Path file = broker.addPrincipal("fleet-gateway-1", KafkaRole.TELEMETRY);

      assertThat(file).exists();
      try (KafkaProducer<String, String> added = producer(broker.connection("fleet-gateway-1"))) {
        assertThat(send(added, Topics.TELEMETRY.name()).topic()).isEqualTo("ledger.telemetry");
        assertThatThrownBy(() -> send(added, Topics.TOKENS.name()))
            .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(TopicAuthorizationException.class));
      }
    }
  }

  @Nested
  class AddUserCommand {
    @Test
    void add_user_grants_a_principal_on_the_running_broker_of_the_data_dir() throws Exception {
      // the ready file a running ledger-broker.sh writes next to its data dir
      Files.writeString(
          dataDir.resolveSibling("broker.ready"),
          "KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers() + "\n");
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

      int rc =
          BrokerMain.run(
              new String[] {
                "--data-dir", dataDir.toString(), "--add-user", "gw-2", "--role", "telemetry"
              },
              java.util.Map.of(),
              new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
              new java.io.PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8).trim())
          .isEqualTo(BrokerSecurity.credentialsFile(dataDir, "gw-2").toString());
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("granted")
          .doesNotContain("password");
      try (KafkaProducer<String, String> added = producer(broker.connection("gw-2"))) {
        assertThat(send(added, Topics.TELEMETRY.name()).topic()).isEqualTo("ledger.telemetry");
      }
    }
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static KafkaProducer<String, String> producer(KafkaConnection kafka) {
    Properties p = kafka.properties();
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static RecordMetadata send(KafkaProducer<String, String> producer, String topic)
      throws Exception {
    return producer.send(new ProducerRecord<>(topic, "t/k", "{}")).get();
  }
}
