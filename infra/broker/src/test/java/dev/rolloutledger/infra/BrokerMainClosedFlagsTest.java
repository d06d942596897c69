package dev.rolloutledger.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line of the closed broker: closed unless --open, principals, TLS. */
class BrokerMainClosedFlagsTest {

  @Test
  void a_broker_is_closed_unless_asked_to_be_open() throws Exception {
    BrokerArgs defaults = BrokerArgs.parse(new String[0], Map.of());
    BrokerArgs open = BrokerArgs.parse(new String[] {"--open"}, Map.of());

    assertThat(defaults.open()).isFalse();
    assertThat(defaults.tls()).isFalse();
    assertThat(defaults.applicationId()).isEqualTo("rollout-ledger");
    assertThat(open.open()).isTrue();
  }

  @Test
  void the_servers_application_id_comes_from_the_flag_or_the_environment() throws Exception {
    assertThat(
            BrokerArgs.parse(new String[0], Map.of("LEDGER_APPLICATION_ID", "ledger-b"))
                .applicationId())
        .isEqualTo("ledger-b");
    assertThat(
            BrokerArgs.parse(new String[] {"--application-id", "ledger-c"}, Map.of())
                .applicationId())
        .isEqualTo("ledger-c");
  }

  @Test
  void tls_is_refused_on_an_open_broker() {
    assertThatThrownBy(() -> BrokerArgs.parse(new String[] {"--open", "--tls"}, Map.of()))
        .isInstanceOf(BrokerArgs.UsageException.class)
        .hasMessageContaining("--tls");
  }

  @Test
  void add_user_needs_a_known_role() throws Exception {
    BrokerArgs add =
        BrokerArgs.parse(new String[] {"--add-user", "gw-1", "--role", "telemetry"}, Map.of());

    assertThat(add.addUser()).isEqualTo("gw-1");
    assertThat(add.addRole()).isEqualTo(KafkaRole.TELEMETRY);
    assertThatThrownBy(() -> BrokerArgs.parse(new String[] {"--add-user", "gw-1"}, Map.of()))
        .isInstanceOf(BrokerArgs.UsageException.class)
        .hasMessageContaining("--role");
    assertThatThrownBy(
            () -> BrokerArgs.parse(new String[] {"--add-user", "gw-1", "--role", "root"}, Map.of()))
        .isInstanceOf(BrokerArgs.UsageException.class)
        .hasMessageContaining("root");
  }

  @Test
  void a_principal_name_that_could_escape_the_credentials_dir_is_refused(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    BrokerSecurity security = new BrokerSecurity(dir, "rollout-ledger", false);

    assertThatThrownBy(() -> security.ensureCredentials("../evil", KafkaRole.ADMIN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> security.ensureCredentials(BrokerSecurity.BROKER_USER, KafkaRole.ADMIN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
