package dev.rolloutledger.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.schemas.kafka.KafkaConnection;
import dev.rolloutledger.server.LedgerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ledger.kafka.*} become the one client configuration every Kafka client starts from. */
class KafkaSettingsTest {

  @Test
  void empty_settings_are_unset_and_give_plaintext() {
    LedgerSettings.Kafka kafka = new LedgerSettings.Kafka();
    kafka.setBootstrapServers("k:9092");
    kafka.setSecurityProtocol("");
    kafka.setSaslUsername("");

    KafkaConnection c = kafka.connection();

    assertThat(c.bootstrapServers()).isEqualTo("k:9092");
    assertThat(c.settings()).isEmpty();
  }

  @Test
  void the_file_comes_first_and_single_settings_override_it(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(
        file,
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"from-file\" password=\"f\";\n");
    LedgerSettings.Kafka kafka = new LedgerSettings.Kafka();
    kafka.setBootstrapServers("k:9093");
    kafka.setClientPropertiesFile(file.toString());
    kafka.setSaslUsername("ledger-server");
    kafka.setSaslPassword("s3cret");
    kafka.setSslTruststoreLocation("/trust.p12");
    kafka.setSecurityProtocol("SASL_SSL");

    KafkaConnection c = kafka.connection();

    assertThat(c.bootstrapServers()).isEqualTo("k:9093");
    assertThat(c.securityProtocol()).isEqualTo("SASL_SSL");
    assertThat(c.saslUsername()).isEqualTo("ledger-server");
    assertThat(c.settings()).containsEntry("ssl.truststore.location", "/trust.p12");
    assertThat(c.toString()).doesNotContain("s3cret");
  }
}
