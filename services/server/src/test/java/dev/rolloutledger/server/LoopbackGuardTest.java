package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.exceptions.ConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoopbackGuardTest {

  @ParameterizedTest(name = "host {0}, TLS {1}, allow-non-loopback {2}: starts")
  @CsvSource({
    // loopback: plain HTTP is fine, whatever else is set
    "127.0.0.1, false, false",
    "::1,       false, false",
    "localhost, false, false",
    "127.0.0.1, true,  false",
    "127.0.0.1, false, true",
    // beyond loopback with TLS on
    "0.0.0.0,    true, false",
    "192.0.2.10, true, false",
    "0.0.0.0,    true, true",
    // beyond loopback behind the operator's own TLS proxy
    "0.0.0.0,    false, true",
    "192.0.2.10, false, true",
  })
  void starts(String host, boolean tls, boolean allowNonLoopback) {
    assertThatCode(() -> LoopbackGuard.check(host, tls, allowNonLoopback))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "host {0} without TLS: refused")
  @CsvSource({"0.0.0.0", "192.0.2.10", "::", "no-such-host.invalid"})
  void refuses_plain_http_beyond_loopback_naming_the_host_and_the_ways_out(String host) {
    assertThatThrownBy(() -> LoopbackGuard.check(host, false, false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(host)
        .hasMessageContaining("LEDGER_TLS=true")
        .hasMessageContaining("LEDGER_HTTP_HOST=127.0.0.1")
        .hasMessageContaining("ledger.allow-non-loopback=true")
        .hasMessageNotContaining("no authentication");
  }
}
