package dev.rolloutledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.schemas.TopicInstaller;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The closed broker on SASL_SSL: a self-signed certificate, SCRAM, the same ACLs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClosedTlsBrokerTest {

  @TempDir static Path dataDir;
  private EmbeddedKafkaBroker broker;

  @BeforeAll
  void start() {
    broker = EmbeddedKafkaBroker.start(BrokerOptions.closed(dataDir).withTls(true));
    try (Admin admin = Admin.create(broker.adminConnection().properties())) {
      TopicInstaller.ensureTopics(admin, Topics.all());
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Test
  void the_credentials_files_name_sasl_ssl_and_the_brokers_truststore() {
    Map<String, String> server =
        KafkaConnection.readClientProperties(
            BrokerSecurity.credentialsFile(dataDir, BrokerSecurity.SERVER_USER));

    assertThat(server).containsEntry("security.protocol", "SASL_SSL");
    assertThat(Path.of(server.get("ssl.truststore.location")))
        .startsWith(dataDir.resolve(BrokerSecurity.TLS_DIR))
        .exists();
  }

  @Test
  void the_server_writes_the_tokens_over_tls_and_telemetry_may_not() throws Exception {
    try (KafkaProducer<String, String> server =
            producer(broker.connection(BrokerSecurity.SERVER_USER));
        KafkaProducer<String, String> telemetry =
            producer(broker.connection(BrokerSecurity.TELEMETRY_USER))) {
      assertThat(send(server, Topics.TOKENS.name())).isGreaterThanOrEqualTo(0);
      assertThat(send(telemetry, Topics.TELEMETRY.name())).isGreaterThanOrEqualTo(0);
      assertThatThrownBy(() -> send(telemetry, Topics.TOKENS.name()))
          .satisfies(e -> assertThat(rootOf(e)).isInstanceOf(TopicAuthorizationException.class));
    }
  }

  @Test
  void a_client_without_tls_gets_nowhere_even_with_the_right_password() {
    Map<String, String> settings =
        new HashMap<>(broker.connection(BrokerSecurity.SERVER_USER).settings());
    settings.put("security.protocol", "SASL_PLAINTEXT");
    KafkaConnection plain = new KafkaConnection(broker.bootstrapServers(), settings);

    try (KafkaProducer<String, String> producer = producer(plain)) {
      assertThatThrownBy(() -> send(producer, Topics.TOKENS.name())).isInstanceOf(Exception.class);
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
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  private static long send(KafkaProducer<String, String> producer, String topic) throws Exception {
    return producer.send(new ProducerRecord<>(topic, "t/k", "{}")).get().offset();
  }
}
