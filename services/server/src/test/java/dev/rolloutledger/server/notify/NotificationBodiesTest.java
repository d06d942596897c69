package dev.rolloutledger.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class NotificationBodiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HASH = "ab".repeat(32);

  static Notice halted() {
    return new Notice(
        "acme",
        "r1",
        "cf-291",
        NotificationEvent.HALTED,
        2,
        HASH,
        Instant.parse("2026-12-07T19:00:01Z"),
        "canary",
        "crash-fraction",
        Map.of(
            "crashFraction", "0.333", "maxCrashFraction", "0.3", "applied", "3", "assigned", "3"));
  }

  @Nested
  class Json {
    @Test
    void carries_every_field_of_the_entry_in_a_fixed_order() throws Exception {
      JsonNode body = JSON.readTree(NotificationBodies.json(halted()));
      assertThat(body.fieldNames())
          .toIterable()
          .containsExactly(
              "tenant",
              "rollout",
              "release",
              "event",
              "type",
              "seq",
              "hash",
              "at",
              "wave",
              "reason",
              "evidence");
      assertThat(body.get("tenant").asText()).isEqualTo("acme");
      assertThat(body.get("event").asText()).isEqualTo("halted");
      assertThat(body.get("type").asText()).isEqualTo("RolloutHalted");
      assertThat(body.get("seq").asLong()).isEqualTo(2);
      assertThat(body.get("hash").asText()).isEqualTo(HASH);
      assertThat(body.get("at").asText()).isEqualTo("2026-12-07T19:00:01Z");
      assertThat(body.get("wave").asText()).isEqualTo("canary");
      assertThat(body.get("reason").asText()).isEqualTo("crash-fraction");
      assertThat(body.get("evidence").get("crashFraction").asText()).isEqualTo("0.333");
    }

    @Test
    void is_the_same_bytes_for_the_same_entry_whatever_the_map_order() {
      Map<String, String> other = new HashMap<>(halted().evidence());
      Notice same =
          new Notice(
              "acme",
              "r1",
              "cf-291",
              NotificationEvent.HALTED,
              2,
              HASH,
              halted().at(),
              "canary",
              "crash-fraction",
              other);
      assertThat(NotificationBodies.json(same)).isEqualTo(NotificationBodies.json(halted()));
    }

    @Test
    void a_completion_has_null_wave_and_reason_and_no_evidence() throws Exception {
      Notice done =
          new Notice(
              "acme",
              "r1",
              null,
              NotificationEvent.COMPLETED,
              9,
              HASH,
              Instant.EPOCH,
              null,
              null,
              Map.of());
      JsonNode body = JSON.readTree(NotificationBodies.json(done));
      assertThat(body.get("type").asText()).isEqualTo("RolloutCompleted");
      assertThat(body.get("wave").isNull()).isTrue();
      assertThat(body.get("release").isNull()).isTrue();
      assertThat(body.get("evidence").size()).isZero();
    }
  }

  @Nested
  class Slack {
    @Test
    void says_rollout_release_wave_and_why_in_text_and_blocks() throws Exception {
      JsonNode body = JSON.readTree(NotificationBodies.slack(halted()));
      assertThat(body.get("text").asText())
          .isEqualTo("Rollout r1 of release cf-291 halted in wave canary: crash-fraction");
      JsonNode blocks = body.get("blocks");
      assertThat(blocks.get(0).get("type").asText()).isEqualTo("header");
      assertThat(blocks.get(0).get("text").get("text").asText()).isEqualTo("Rollout r1 halted");
      assertThat(blocks.get(1).get("text").get("text").asText())
          .contains("*Release* cf-291")
          .contains("*Wave* canary")
          .contains("*Why* crash-fraction");
      // the key evidence first: the measured fraction against its cap
      assertThat(blocks.get(2).get("fields").get(0).get("text").asText())
          .isEqualTo("*crashFraction*\n0.333");
      assertThat(blocks.get(2).get("fields").get(1).get("text").asText())
          .isEqualTo("*maxCrashFraction*\n0.3");
      assertThat(blocks.get(3).get("type").asText()).isEqualTo("context");
      assertThat(blocks.get(3).get("elements").get(0).get("text").asText())
          .contains("tenant acme")
          .contains("RolloutHalted #2")
          .contains(HASH.substring(0, 12));
    }

    @Test
    void keeps_to_ten_evidence_fields_and_says_how_many_more() throws Exception {
      Map<String, String> evidence = new HashMap<>();
      for (int i = 0; i < 13; i++) {
        evidence.put("k" + i, Integer.toString(i));
      }
      Notice many =
          new Notice(
              "acme",
              "r1",
              "cf",
              NotificationEvent.PAUSED,
              3,
              HASH,
              Instant.EPOCH,
              "w",
              "unreachable hosts",
              evidence);
      JsonNode blocks = JSON.readTree(NotificationBodies.slack(many)).get("blocks");
      assertThat(blocks.get(2).get("fields")).hasSize(NotificationBodies.SLACK_FIELDS);
      assertThat(blocks.get(3).get("elements").get(0).get("text").asText())
          .contains("3 more evidence entries");
    }

    @Test
    void escapes_what_slack_would_read_as_a_link_or_a_mention() throws Exception {
      Notice sly =
          new Notice(
              "acme",
              "r1",
              "cf",
              NotificationEvent.HALTED,
              2,
              HASH,
              Instant.EPOCH,
              "w",
              "<!channel> & <http://evil|x>",
              Map.of());
      String text = JSON.readTree(NotificationBodies.slack(sly)).get("text").asText();
      assertThat(text).contains("&lt;!channel&gt; &amp; &lt;http://evil|x&gt;").doesNotContain("<");
    }

    @Test
    void a_promotion_names_its_wave_and_its_passed_gate() throws Exception {
      Notice promoted =
          new Notice(
              "acme",
              "r1",
              "cf-291",
              NotificationEvent.PROMOTED,
              3,
              HASH,
              Instant.EPOCH,
              "canary",
              null,
              Map.of("applied", "10"));
      assertThat(JSON.readTree(NotificationBodies.slack(promoted)).get("text").asText())
          .isEqualTo("Rollout r1 of release cf-291 promoted a wave: wave canary: its gate passed");
    }
  }
}
