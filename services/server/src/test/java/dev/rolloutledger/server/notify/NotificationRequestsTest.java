package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.server.api.ApiProblemException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NotificationRequestsTest {
  /** Names resolve from this test, not DNS: any name but these has no address. */
  static final WebhookTargets TARGETS =
      new WebhookTargets(false, WebhookTargetsTest.names("internal.example", "10.0.0.5"));

  private static List<NotificationRequests.Asked> read(String body) {
    return NotificationRequests.read(body, TARGETS);
  }

  private static final String ONE =
      """
      {"webhooks": [{"name": "ops", "url": "https://hooks.example.com/services/T0/B0/s3cret",
                     "format": "slack", "events": ["halted", "paused"]}]}""";

  @Test
  void reads_a_webhook() {
    List<NotificationRequests.Asked> asked = read(ONE);
    assertThat(asked)
        .containsExactly(
            new NotificationRequests.Asked(
                "ops",
                URI.create("https://hooks.example.com/services/T0/B0/s3cret"),
                WebhookFormat.SLACK,
                Set.of(NotificationEvent.HALTED, NotificationEvent.PAUSED)));
  }

  @Test
  void an_empty_list_is_none() {
    assertThat(read("{\"webhooks\": []}")).isEmpty();
  }

  @Nested
  class Refuses {
    private static final String HOOK =
        "{\"name\": \"%s\", \"url\": \"%s\", \"format\": \"%s\", \"events\": %s}";

    private String body(String name, String url, String format, String events) {
      return "{\"webhooks\": [" + HOOK.formatted(name, url, format, events) + "]}";
    }

    private void refused(String body, String field, String detail) {
      assertThatThrownBy(() -> read(body))
          .isInstanceOfSatisfying(
              ApiProblemException.class,
              e -> {
                assertThat(e.status().getCode()).isEqualTo(400);
                assertThat(e.field()).isEqualTo(field);
                assertThat(e.getMessage()).contains(detail);
              });
    }

    @ParameterizedTest
    @CsvSource({
      "ftp://x.example/h, http:// or https://",
      "file:///etc/passwd, http:// or https://",
      "javascript:alert(1), http:// or https://",
      "https://user:pw@x.example/h, user:password",
      "https://x.example/h#frag, fragment",
      "not a url, not a URL",
      "/relative/path, http:// or https://"
    })
    void a_url_that_is_not_plain_http_or_https(String url, String detail) {
      refused(body("ops", url, "json", "[\"halted\"]"), "webhooks[0].url", detail);
    }

    @ParameterizedTest
    @CsvSource({
      "http://169.254.169.254/latest/meta-data, 169.254.169.254 is a link-local address",
      "http://[fe80::1]:8080/h, link-local",
      "http://127.0.0.1:9092/x, 127.0.0.1 is a loopback address",
      "http://internal.example/h, internal.example resolves to 10.0.0.5, a private address",
      "https://192.168.1.10/h, " + WebhookTargets.ALLOW_PRIVATE + "=true"
    })
    void a_url_whose_host_webhooks_may_not_reach(String url, String detail) {
      refused(body("ops", url, "json", "[\"halted\"]"), "webhooks[0].url", detail);
    }

    @Test
    void a_link_local_url_even_when_private_targets_are_allowed() {
      WebhookTargets allowing = new WebhookTargets(true, WebhookTargetsTest.names());
      assertThatThrownBy(
              () ->
                  NotificationRequests.read(
                      body("ops", "http://169.254.169.254/x", "json", "[\"halted\"]"), allowing))
          .isInstanceOfSatisfying(
              ApiProblemException.class, e -> assertThat(e.field()).isEqualTo("webhooks[0].url"));
      assertThat(
              NotificationRequests.read(
                  body("ops", "http://127.0.0.1:8080/x", "json", "[\"halted\"]"), allowing))
          .hasSize(1);
    }

    @Test
    void an_unknown_format() {
      refused(
          body("ops", "https://x/h", "teams", "[\"halted\"]"),
          "webhooks[0].format",
          "slack or json");
    }

    @Test
    void an_unknown_event() {
      refused(
          body("ops", "https://x/h", "json", "[\"halted\", \"started\"]"),
          "webhooks[0].events[1]",
          "one of halted");
    }

    @Test
    void an_event_listed_twice() {
      refused(
          body("ops", "https://x/h", "json", "[\"halted\", \"halted\"]"),
          "webhooks[0].events[1]",
          "twice");
    }

    @Test
    void no_event() {
      refused(body("ops", "https://x/h", "json", "[]"), "webhooks[0].events", "non-empty");
    }

    @Test
    void two_webhooks_of_one_name() {
      String twice =
          "{\"webhooks\": ["
              + HOOK.formatted("ops", "https://x/a", "json", "[\"halted\"]")
              + ","
              + HOOK.formatted("ops", "https://x/b", "json", "[\"halted\"]")
              + "]}";
      refused(twice, "webhooks[1].name", "two webhooks are named ops");
    }

    @Test
    void the_same_url_and_format_twice() {
      String twice =
          "{\"webhooks\": ["
              + HOOK.formatted("a", "https://x/a", "json", "[\"halted\"]")
              + ","
              + HOOK.formatted("b", "https://x/a", "json", "[\"paused\"]")
              + "]}";
      refused(twice, "webhooks[1].url", "same format");
    }

    @Test
    void a_name_that_is_not_an_id() {
      refused(body("o p", "https://x/h", "json", "[\"halted\"]"), "webhooks[0].name", "letters");
    }

    @Test
    void an_unknown_field() {
      refused(
          "{\"webhooks\": [{\"name\": \"a\", \"url\": \"https://x/h\", \"format\": \"json\","
              + " \"events\": [\"halted\"], \"secret\": \"s\"}]}",
          "webhooks[0].secret",
          "unknown field");
      refused("{\"hooks\": []}", "hooks", "unknown field");
    }

    @Test
    void a_number_for_a_string() {
      refused(
          "{\"webhooks\": [{\"name\": 5, \"url\": \"https://x/h\", \"format\": \"json\","
              + " \"events\": [\"halted\"]}]}",
          "webhooks[0].name",
          "must be a string");
    }

    @Test
    void a_duplicate_key() {
      refused(
          "{\"webhooks\": [{\"name\": \"a\", \"name\": \"b\"}]}", "webhooks[0].name", "Duplicate");
    }

    @Test
    void no_list() {
      refused("{}", "webhooks", "required");
      refused("[]", null, "JSON object");
    }
  }

  @Test
  void a_webhook_keeps_its_since_when_set_again_and_a_new_one_starts_now() {
    Instant first = Instant.parse("2026-12-01T00:00:00Z");
    Instant now = Instant.parse("2026-12-07T19:00:00Z");
    Webhook before =
        new Webhook(
            "ops",
            URI.create("https://x/old"),
            WebhookFormat.JSON,
            Set.of(NotificationEvent.HALTED),
            first);
    List<Webhook> after =
        NotificationRequests.configure(
            read(
                "{\"webhooks\": ["
                    + "{\"name\": \"ops\", \"url\": \"https://x/new\", \"format\": \"json\", \"events\": [\"completed\"]},"
                    + "{\"name\": \"chat\", \"url\": \"https://x/c\", \"format\": \"slack\", \"events\": [\"halted\"]}]}"),
            List.of(before),
            now);
    assertThat(after).extracting(Webhook::since).containsExactly(first, now);
    assertThat(after.get(0).url()).isEqualTo(URI.create("https://x/new"));
  }

  @Test
  void a_url_is_shown_as_its_origin_only() {
    Webhook slack =
        new Webhook(
            "ops",
            URI.create("https://hooks.example.com:8443/services/T0/B0/s3cret?x=1"),
            WebhookFormat.SLACK,
            Set.of(NotificationEvent.HALTED),
            Instant.EPOCH);
    assertThat(slack.redactedUrl()).isEqualTo("https://hooks.example.com:8443/***");
    assertThat(slack.toString()).doesNotContain("s3cret");
    Webhook bare =
        new Webhook(
            "ops",
            URI.create("http://127.0.0.1"),
            WebhookFormat.JSON,
            Set.of(NotificationEvent.HALTED),
            Instant.EPOCH);
    assertThat(bare.redactedUrl()).isEqualTo("http://127.0.0.1/");
  }
}
