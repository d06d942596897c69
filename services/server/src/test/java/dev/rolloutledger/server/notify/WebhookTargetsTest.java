package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookTargetsTest {
  /**
   * A resolver without DNS: address literals as the JDK reads them, then {@code pairs} (name,
   * address, name, address ...); any other name has no address.
   */
  static WebhookTargets.Resolver names(String... pairs) {
    Map<String, String> known = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      known.put(pairs[i], pairs[i + 1]);
    }
    return host -> {
      if (known.containsKey(host)) {
        return new InetAddress[] {
          InetAddress.getByName("203.0.113.7"), InetAddress.getByName(known.get(host))
        };
      }
      if (host.matches("[0-9.]+") || host.contains(":")) {
        return new InetAddress[] {InetAddress.getByName(host)}; // a literal: no lookup
      }
      throw new UnknownHostException(host);
    };
  }

  private final WebhookTargets strict =
      new WebhookTargets(false, names("rebound.example", "169.254.169.254"));
  private final WebhookTargets allowing =
      new WebhookTargets(true, names("rebound.example", "169.254.169.254"));

  @ParameterizedTest
  @CsvSource({
    "169.254.169.254, link-local",
    "169.254.0.1, link-local",
    "[fe80::1], link-local",
    "[febf::1], link-local",
    "[::ffff:169.254.169.254], link-local",
    "[::169.254.169.254], link-local",
    "127.0.0.1, loopback",
    "127.8.9.10, loopback",
    "[::1], loopback",
    "0.0.0.0, unspecified",
    "[::], unspecified",
    "10.1.2.3, private",
    "172.16.0.1, private",
    "172.31.255.255, private",
    "192.168.0.1, private",
    "100.64.0.1, private",
    "[fd00::1], private",
    "[fc00::1], private",
    "[64:ff9b::a9fe:a9fe], link-local",
    "[64:ff9b::7f00:1], loopback",
    "[2002:a9fe:a9fe::1], link-local",
    "[2002:0a00:0001::], private",
    "100.100.100.200, cloud metadata",
    "[fd00:ec2::254], cloud metadata"
  })
  void kinds_of_address_that_are_not_public(String host, String kind) throws Exception {
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    assertThat(WebhookTargets.kind(InetAddress.getByName(literal))).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource({
    "203.0.113.7",
    "172.32.0.1",
    "100.128.0.1",
    "8.8.8.8",
    "[2001:db8::1]",
    "[fe00::1]",
    "[64:ff9b::808:808]",
    "[2002:0808:0808::1]"
  })
  void public_addresses(String host) throws Exception {
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    assertThat(WebhookTargets.kind(InetAddress.getByName(literal))).isNull();
    assertThat(strict.refusal(URI.create("https://" + host + "/h"))).isEmpty();
  }

  @Test
  void link_local_is_refused_even_when_private_targets_are_allowed() {
    assertThat(allowing.refusal(URI.create("http://169.254.169.254/latest/meta-data")))
        .hasValueSatisfying(r -> assertThat(r).contains("link-local").doesNotContain("latest"));
    assertThat(allowing.refusal(URI.create("http://[fe80::1]:8080/x"))).isPresent();
    // a metadata service outside link-local space, and one reached through NAT64
    assertThat(allowing.refusal(URI.create("http://100.100.100.200/latest/meta-data")))
        .hasValueSatisfying(r -> assertThat(r).contains("cloud metadata"));
    assertThat(allowing.refusal(URI.create("http://[fd00:ec2::254]/latest"))).isPresent();
    assertThat(allowing.refusal(URI.create("http://[64:ff9b::a9fe:a9fe]/latest"))).isPresent();
  }

  @Test
  void loopback_and_private_are_refused_unless_allowed() {
    URI local = URI.create("http://127.0.0.1:9092/secret-path");
    assertThat(strict.refusal(local))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .contains("loopback")
                    .contains(WebhookTargets.ALLOW_PRIVATE + "=true")
                    .doesNotContain("secret-path"));
    assertThat(allowing.refusal(local)).isEmpty();
    assertThat(allowing.refusal(URI.create("http://10.0.0.5/h"))).isEmpty();
  }

  @Test
  void a_name_is_judged_by_every_address_it_resolves_to() {
    assertThat(allowing.refusal(URI.create("https://rebound.example/h")))
        .hasValueSatisfying(
            r -> assertThat(r).contains("rebound.example resolves to 169.254.169.254"));
  }

  @Test
  void a_name_that_does_not_resolve_now_is_left_to_the_attempt() {
    assertThat(strict.refusal(URI.create("https://nowhere.example/h"))).isEmpty();
  }

  @Test
  void the_transport_refuses_before_connecting_when_the_name_resolves_elsewhere_now()
      throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      HttpWebhookTransport t = new HttpWebhookTransport(Duration.ofSeconds(5), ex, strict);
      Throwable error =
          t.post(URI.create("https://rebound.example/h"), Map.of(), new byte[0])
              .handle((status, e) -> e)
              .get(10, TimeUnit.SECONDS);
      assertThat(error)
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(WebhookTargets.RefusedTarget.class)
          .hasMessageContaining("link-local");
    } finally {
      ex.shutdownNow();
    }
  }
}
