package dev.rolloutledger.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  private static boolean contains(String cidr, String address) throws Exception {
    return Cidr.parse(cidr).contains(InetAddress.getByName(address));
  }

  @Nested
  class Contains {
    @Test
    void an_ipv4_network_holds_its_addresses_and_no_other() throws Exception {
      assertThat(contains("10.0.0.0/8", "10.255.3.4")).isTrue();
      assertThat(contains("10.0.0.0/8", "11.0.0.1")).isFalse();
      assertThat(contains("192.168.1.0/24", "192.168.1.200")).isTrue();
      assertThat(contains("192.168.1.0/24", "192.168.2.1")).isFalse();
      assertThat(contains("172.16.0.0/12", "172.31.255.255")).isTrue();
      assertThat(contains("172.16.0.0/12", "172.32.0.0")).isFalse();
    }

    @Test
    void a_bare_address_is_its_own_network() throws Exception {
      assertThat(contains("127.0.0.1", "127.0.0.1")).isTrue();
      assertThat(contains("127.0.0.1", "127.0.0.2")).isFalse();
    }

    @Test
    void host_bits_of_the_network_are_ignored_and_0_prefix_holds_everything() throws Exception {
      assertThat(contains("10.1.2.3/8", "10.9.9.9")).isTrue();
      assertThat(contains("0.0.0.0/0", "203.0.113.7")).isTrue();
    }

    @Test
    void ipv6_networks_hold_ipv6_peers_only() throws Exception {
      assertThat(contains("fd00::/8", "fd12:3456::1")).isTrue();
      assertThat(contains("fd00::/8", "fe80::1")).isFalse();
      assertThat(contains("::1/128", "::1")).isTrue();
      assertThat(contains("0.0.0.0/0", "::1")).isFalse();
    }
  }

  @Nested
  class Parse {
    @ParameterizedTest
    @ValueSource(
        strings = {"", "ledger.example.org", "cafe", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "1.2"})
    void refuses_what_is_not_a_literal_network_naming_it(String text) {
      assertThatThrownBy(() -> Cidr.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + text + "'");
    }

    @Test
    void reads_a_comma_separated_list_and_skips_blanks() {
      assertThat(Cidr.parseAll(List.of("127.0.0.1/32, 10.0.0.0/8", " ")))
          .extracting(Cidr::toString)
          .containsExactly("127.0.0.1/32", "10.0.0.0/8");
    }
  }
}
