package dev.rolloutledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputChecksTest {
  private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");

  @Nested
  class Metrics {
    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void a_heartbeat_metric_that_is_not_finite_is_refused_naming_it(double value) {
      Heartbeat hb = new Heartbeat("acme", AT, "h1", null, Map.of("cpu", 0.5, "mem", value));

      assertThatThrownBy(() -> InputChecks.check(hb))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("metrics[mem]");
                assertThat(e.problem()).contains("finite number");
              });
    }

    @Test
    void the_kafka_door_maps_with_the_same_check() {
      dev.rolloutledger.avro.Heartbeat avro =
          dev.rolloutledger.avro.Heartbeat.newBuilder()
              .setTenant("acme")
              .setAt(AT)
              .setHost("h1")
              .setRelease(null)
              .setMetrics(Map.of("cpu", Double.NaN))
              .build();

      assertThatThrownBy(() -> AvroMapper.toDomain(avro))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("metrics[cpu]"));
    }

    @Test
    void finite_metrics_pass_unchanged() {
      Heartbeat hb = new Heartbeat("acme", AT, "h1", null, Map.of("cpu", -0.0, "big", 1e300));

      assertThat(InputChecks.check(hb)).isSameAs(hb);
    }
  }

  @Nested
  class Times {
    @Test
    void an_at_beyond_what_epoch_millis_hold_is_refused_naming_it() {
      Heartbeat hb =
          new Heartbeat("acme", Instant.parse("+999999999-12-31T23:59:59Z"), "h1", null, Map.of());

      assertThatThrownBy(() -> InputChecks.check(hb))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("at"));
    }

    @Test
    void a_last_seen_at_before_what_epoch_millis_hold_is_refused_naming_it() {
      HostSilent silent =
          new HostSilent("acme", AT, "h1", Instant.parse("-999999999-01-01T00:00:00Z"));

      assertThatThrownBy(() -> InputChecks.check(silent))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("lastSeenAt"));
    }

    @Test
    void the_epoch_and_the_last_millisecond_of_9999_pass() {
      assertThat(InputChecks.time("at", Instant.parse("9999-12-31T23:59:59.999Z"))).isNotNull();
      assertThat(InputChecks.time("at", Instant.EPOCH)).isNotNull();
    }

    /**
     * The latest time was the last epoch millisecond (year 292278994); a bake or timeout added to
     * it overflowed what a topic stores. Year 9999 leaves room for the longest duration.
     */
    @Test
    void a_time_after_9999_is_refused_though_epoch_millis_would_hold_it() {
      assertThatThrownBy(() -> InputChecks.time("at", Instant.ofEpochMilli(Long.MAX_VALUE)))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.problem()).contains("9999-12-31T23:59:59.999Z"));
      assertThatThrownBy(() -> InputChecks.time("at", Instant.parse("+10000-01-01T00:00:00Z")))
          .isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void a_time_before_1970_is_refused_at_every_door_naming_it() {
      Heartbeat hb = new Heartbeat("acme", Instant.ofEpochMilli(-1), "h1", null, Map.of());

      assertThatThrownBy(() -> InputChecks.check(hb))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> {
                assertThat(e.field()).isEqualTo("at");
                assertThat(e.problem()).contains("1970-01-01T00:00:00Z");
              });
    }
  }

  @Nested
  class Ids {
    @ParameterizedTest
    @ValueSource(strings = {"h/1", "h\u00001", "h\t1", "h\n1", "h\u007f1"})
    void an_id_with_a_slash_or_a_control_character_is_refused_naming_it(String host) {
      Heartbeat hb = new Heartbeat("acme", AT, host, null, Map.of());

      assertThatThrownBy(() -> InputChecks.check(hb))
          .isInstanceOfSatisfying(
              InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("host"));
    }

    @Test
    void ids_are_capped_at_the_http_apis_128_characters() {
      assertThat(InputChecks.check(new Heartbeat("acme", AT, "h".repeat(128), null, Map.of())))
          .isNotNull();
      assertThatThrownBy(
              () -> InputChecks.check(new Heartbeat("acme", AT, "h".repeat(129), null, Map.of())))
          .isInstanceOfSatisfying(
              InvalidFieldException.class,
              e -> assertThat(e.problem()).isEqualTo("must be at most 128 characters, was 129"));
    }

    @Test
    void a_key_must_be_the_topics_contract_key() {
      Heartbeat hb = new Heartbeat("acme", AT, "h1", null, Map.of());

      InputChecks.key("acme/h1", hb);
      assertThatThrownBy(() -> InputChecks.key("acm/h1", hb))
          .hasMessageContaining("tenant 'acm' differs from the value's tenant 'acme'");
      assertThatThrownBy(() -> InputChecks.key("acmeX/h1", hb)).hasMessageContaining("'acmeX'");
      assertThatThrownBy(() -> InputChecks.key("acme/h11", hb))
          .hasMessageContaining("must be acme/h1");
      assertThatThrownBy(() -> InputChecks.key("acme", hb)).hasMessageContaining("must be acme/h1");
    }
  }
}
