package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InputValidationTest {
  private static final Instant AT = Instant.parse("2025-03-01T10:00:00Z");
  private static final String SHA = "ab".repeat(32);

  @Nested
  class Inputs {

    @Test
    void a_tenant_must_be_present_and_contain_no_slash() {
      assertThatThrownBy(() -> new HostRegistered("", AT, "h1", Map.of()))
          .hasMessage("tenant must not be blank");
      assertThatThrownBy(() -> new HostRegistered("a/b", AT, "h1", Map.of()))
          .hasMessage("tenant must not contain '/'");
    }

    @Test
    void ids_must_not_be_blank_and_errors_name_the_field() {
      assertThatThrownBy(() -> new RolloutPlanned("t", AT, " ", "rel", Plan.defaultPlan()))
          .hasMessage("rollout must not be blank");
      assertThatThrownBy(() -> new CrashReport("t", AT, "h1", "rel", "sig", null))
          .hasMessage("kind must not be blank");
      assertThatThrownBy(() -> new ApprovalGranted("t", AT, "r1", "dev", ""))
          .hasMessage("by must not be blank");
      assertThatThrownBy(() -> new UpdateApplied("t", null, "h1", "rel", true, null))
          .hasMessage("at must not be null");
      assertThatThrownBy(() -> new Heartbeat("t", AT, "h1", " ", Map.of()))
          .hasMessage("release must not be blank");
    }

    @Test
    void a_release_digest_must_be_64_hex_digits_and_is_stored_lower_case() {
      assertThatThrownBy(
              () -> new ReleasePublished("t", AT, "r", "a", "1", "xyz", "ci", Severity.NORMAL))
          .hasMessage("sha256 must be 64 hex digits");

      ReleasePublished p =
          new ReleasePublished("t", AT, "r", "a", "1", SHA.toUpperCase(), "ci", Severity.NORMAL);

      assertThat(p.sha256()).isEqualTo(SHA);
    }

    @Test
    void optional_fields_may_be_null() {
      assertThat(new UpdateApplied("t", AT, "h1", "rel", false, null).error()).isNull();
      assertThat(new Heartbeat("t", AT, "h1", null, Map.of("cpu", 0.1)).release()).isNull();
    }
  }

  @Nested
  class Outputs {

    @Test
    void ledger_entries_require_a_positive_seq_and_a_canonical_prev_hash() {
      assertThatThrownBy(() -> new RolloutCompleted("t", AT, "r1", 0, LedgerHash.GENESIS))
          .hasMessage("seq must be >= 1");
      assertThatThrownBy(() -> new RolloutCompleted("t", AT, "r1", 1, SHA.toUpperCase()))
          .hasMessage("prevHash must be 64 lower-case hex digits");
    }

    @Test
    void ledger_entries_keep_millisecond_precision_the_precision_that_is_hashed() {
      Instant precise = Instant.parse("2025-03-01T10:00:00.123456789Z");

      RolloutCompleted e = new RolloutCompleted("t", precise, "r1", 1, LedgerHash.GENESIS);

      assertThat(e.at()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
    }

    @Test
    void commands_must_not_expire_before_they_are_issued() {
      assertThatThrownBy(() -> new Apply("t", "r1", "h1", "rel", SHA, 1, AT, AT.minusSeconds(1)))
          .hasMessage("expiresAt must not be before issuedAt");
      assertThat(new Hold("t", "r1", "h1", "rel", null, 4, AT, AT).commandId()).isEqualTo("t/h1/4");
    }

    @Test
    void decisions_copy_their_lists() {
      List<Rejection> rejections = new java.util.ArrayList<>();
      Decision d = new Decision(List.of(), List.of(), rejections);
      rejections.add(new Rejection("t", AT, "rollout:r1", "unknown rollout"));

      assertThat(d.rejections()).isEmpty();
      assertThat(d.isEmpty()).isTrue();
      assertThat(Decision.none().isEmpty()).isTrue();
    }
  }

  @Nested
  class State {

    @Test
    void wave_counts_keep_crashed_within_applied_within_assigned() {
      assertThatThrownBy(() -> new WaveCounts("w", 1, 2, 0))
          .isInstanceOf(InvalidFieldException.class);
      assertThatThrownBy(() -> new WaveCounts("w", 2, 1, 2))
          .isInstanceOf(InvalidFieldException.class);
      assertThat(new WaveCounts("w", 2, 1, 1).plus(1, 1)).isEqualTo(new WaveCounts("w", 3, 2, 1));
    }

    @Test
    void a_rollout_state_has_one_count_per_plan_wave() {
      Plan plan = Plan.defaultPlan();

      assertThatThrownBy(
              () ->
                  new RolloutState(
                      "t",
                      "r1",
                      "rel",
                      plan,
                      RolloutStatus.ACTIVE,
                      0,
                      List.of(WaveCounts.empty("dev")),
                      0,
                      LedgerHash.GENESIS,
                      AT,
                      AT))
          .hasMessage("waves must have one entry per plan wave");
    }

    @Test
    void engine_config_needs_a_positive_ttl() {
      assertThatThrownBy(() -> new EngineConfig(java.time.Duration.ZERO))
          .hasMessage("commandTtl must be positive");
      assertThat(EngineConfig.defaults().commandTtl()).hasHours(1);
    }
  }
}
