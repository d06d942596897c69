package dev.rolloutledger.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

  @Nested
  class FromSettings {
    @Test
    void defaults_to_plaintext_on_loopback_when_nothing_is_set() {
      KafkaConnection c = KafkaConnection.resolve(null, name -> null);

      assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
      assertThat(c.settings()).isEmpty();
      assertThat(c.securityProtocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void username_and_password_make_a_scram_jaas_line_over_sasl_plaintext() {
      Map<String, String> env =
          Map.of(
              "KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092",
              "LEDGER_KAFKA_SASL_USERNAME", "ledger-server",
              "LEDGER_KAFKA_SASL_PASSWORD", "p\"w");

      Properties p = KafkaConnection.resolve(null, env::get).properties();

      assertThat(p.getProperty("bootstrap.servers")).isEqualTo("kafka-1:9092");
      assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_PLAINTEXT");
      assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
      assertThat(p.getProperty("sasl.jaas.config"))
          .isEqualTo(
              "org.apache.kafka.common.security.scram.ScramLoginModule required"
                  + " username=\"ledger-server\" password=\"p\\\"w\";");
    }

    @Test
    void a_truststore_makes_the_sasl_protocol_sasl_ssl_and_plain_takes_the_plain_module() {
      Map<String, String> env =
          Map.of(
              "LEDGER_KAFKA_SASL_MECHANISM", "PLAIN",
              "LEDGER_KAFKA_SASL_USERNAME", "u",
              "LEDGER_KAFKA_SASL_PASSWORD", "p",
              "LEDGER_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/trust.p12",
              "LEDGER_KAFKA_SSL_TRUSTSTORE_PASSWORD", "t",
              "LEDGER_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "none");

      KafkaConnection c = KafkaConnection.resolve("b:1", env::get);

      assertThat(c.securityProtocol()).isEqualTo("SASL_SSL");
      assertThat(c.settings())
          .containsEntry("ssl.truststore.location", "/etc/kafka/trust.p12")
          .containsEntry("ssl.truststore.password", "t")
          .containsEntry("ssl.endpoint.identification.algorithm", "");
      assertThat(c.settings().get("sasl.jaas.config"))
          .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
    }

    @Test
    void a_username_without_a_password_is_refused_naming_both_variables() {
      Map<String, String> env = Map.of("LEDGER_KAFKA_SASL_USERNAME", "u");

      assertThatThrownBy(() -> KafkaConnection.resolve(null, env::get))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("LEDGER_KAFKA_SASL_USERNAME")
          .hasMessageContaining("LEDGER_KAFKA_SASL_PASSWORD");
    }

    @Test
    void a_mechanism_without_a_password_form_is_refused() {
      assertThatThrownBy(() -> KafkaConnection.jaasConfig("GSSAPI", "u", "p"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("GSSAPI");
    }
  }

  @Nested
  class FromAClientPropertiesFile {
    @Test
    void reads_every_setting_and_single_settings_win_over_the_file(@TempDir Path dir)
        throws IOException {
      Path file = dir.resolve("client.properties");
      Files.writeString(
          file,
          """
          bootstrap.servers=from-file:9092
          security.protocol=SASL_SSL
          sasl.mechanism=SCRAM-SHA-256
          sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
              username="file-user" password="file-secret";
          ssl.truststore.location=/trust.p12
          """);
      Map<String, String> env = new HashMap<>();
      env.put("LEDGER_KAFKA_CLIENT_PROPERTIES", file.toString());

      KafkaConnection fromFile = KafkaConnection.resolve(null, env::get);
      env.put("LEDGER_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
      env.put("KAFKA_BOOTSTRAP_SERVERS", "from-env:9092");
      KafkaConnection overridden = KafkaConnection.resolve(null, env::get);

      assertThat(fromFile.bootstrapServers()).isEqualTo("from-file:9092");
      assertThat(fromFile.securityProtocol()).isEqualTo("SASL_SSL");
      assertThat(fromFile.saslUsername()).isEqualTo("file-user");
      assertThat(fromFile.settings()).doesNotContainKey("bootstrap.servers");
      assertThat(overridden.bootstrapServers()).isEqualTo("from-env:9092");
      assertThat(overridden.securityProtocol()).isEqualTo("SASL_PLAINTEXT");
      assertThat(overridden.settings()).containsEntry("sasl.mechanism", "SCRAM-SHA-256");
    }

    @Test
    void a_missing_file_is_refused_naming_the_file_and_the_variable(@TempDir Path dir) {
      Path missing = dir.resolve("nope.properties");
      Map<String, String> env = Map.of("LEDGER_KAFKA_CLIENT_PROPERTIES", missing.toString());

      assertThatThrownBy(() -> KafkaConnection.resolve(null, env::get))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("LEDGER_KAFKA_CLIENT_PROPERTIES");
    }
  }

  @Nested
  class Use {
    @Test
    void properties_is_a_fresh_copy_each_time() {
      KafkaConnection c = KafkaConnection.sasl("b:1", "SASL_PLAINTEXT", "SCRAM-SHA-512", "u", "p");

      Properties first = c.properties();
      first.put("security.protocol", "PLAINTEXT");
      first.put("client.id", "mine");

      assertThat(c.properties().getProperty("security.protocol")).isEqualTo("SASL_PLAINTEXT");
      assertThat(c.properties()).doesNotContainKey("client.id");
      assertThat(c.config()).containsEntry("bootstrap.servers", "b:1");
    }

    @Test
    void to_string_names_the_user_and_never_a_password_or_the_jaas_line() {
      KafkaConnection c =
          KafkaConnection.sasl("b:1", "SASL_SSL", "SCRAM-SHA-512", "ledger-server", "s3cr3t-pw");

      assertThat(c.toString())
          .contains("b:1", "SASL_SSL", "SCRAM-SHA-512", "ledger-server")
          .doesNotContain("s3cr3t-pw")
          .doesNotContain("ScramLoginModule");
    }

    @Test
    void a_blank_bootstrap_is_refused() {
      assertThatThrownBy(() -> KafkaConnection.plaintext(" "))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
