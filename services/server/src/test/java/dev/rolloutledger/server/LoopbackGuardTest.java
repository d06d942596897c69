package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {
  @Test
  void allows_loopback_addresses() {
    assertThatCode(() -> LoopbackGuard.check("127.0.0.1", false)).doesNotThrowAnyException();
    assertThatCode(() -> LoopbackGuard.check("::1", false)).doesNotThrowAnyException();
    assertThatCode(() -> LoopbackGuard.check("localhost", false)).doesNotThrowAnyException();
  }

  @Test
  void refuses_every_other_address_naming_it_and_the_way_out() {
    assertThatThrownBy(() -> LoopbackGuard.check("0.0.0.0", false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("ledger.allow-non-loopback");
    assertThatThrownBy(() -> LoopbackGuard.check("192.0.2.10", false))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void an_operator_may_allow_it_explicitly() {
    assertThatCode(() -> LoopbackGuard.check("0.0.0.0", true)).doesNotThrowAnyException();
  }
}
