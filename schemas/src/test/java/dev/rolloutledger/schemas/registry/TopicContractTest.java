package dev.rolloutledger.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.avro.CrashReport;
import dev.rolloutledger.schemas.Topics;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TopicContractTest {
  private static final String DECISIONS = Topics.LEDGER.valueSubject();
  private static final String TELEMETRY = Topics.TELEMETRY.valueSubject();

  @Test
  void has_a_subject_for_every_avro_topic_and_none_for_the_plain_json_ones() {
    assertThat(TopicContract.subjects())
        .containsKeys(DECISIONS, TELEMETRY, Topics.INPUTS.valueSubject())
        .doesNotContainKeys(Topics.SCHEMAS.valueSubject(), Topics.TOKENS.valueSubject());
    assertThat(TopicContract.subjects().get(TELEMETRY)).isEqualTo(Topics.TELEMETRY.valueSchema());
  }

  @Nested
  class Refuses {
    @Test
    void a_string_under_the_decisions_subject() {
      // issue 17: "string" here left every later write to ledger.decisions failing
      assertThat(TopicContract.problems(DECISIONS, Schema.create(Schema.Type.STRING)))
          .singleElement()
          .asString()
          .contains("string is not an event of ledger.decisions-value");
    }

    @Test
    void a_record_of_a_type_the_topic_does_not_carry() {
      Schema stranger =
          SchemaBuilder.record("ClockTick")
              .namespace("elsewhere")
              .fields()
              .requiredString("tenant")
              .endRecord();
      assertThat(TopicContract.problems(TELEMETRY, stranger))
          .singleElement()
          .asString()
          .contains("elsewhere.ClockTick is not a type");
    }

    @Test
    void a_carried_type_the_contract_cannot_read() {
      // a CrashReport whose host is an int: the contract reads host as a string
      Schema bad =
          SchemaBuilder.record(CrashReport.getClassSchema().getName())
              .namespace(CrashReport.getClassSchema().getNamespace())
              .fields()
              .requiredString("tenant")
              .requiredInt("host")
              .endRecord();
      assertThat(TopicContract.problems(TELEMETRY, bad))
          .anySatisfy(p -> assertThat(p).contains("host"));
    }
  }

  @Nested
  class InTheRegistry {
    @Test
    void a_fresh_registry_refuses_a_string_under_the_decisions_subject() {
      SchemaRegistry registry = InMemorySchemaRegistry.guardingTheTopicContract();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> registry.register(DECISIONS, Schema.create(Schema.Type.STRING)))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE));
      assertThat(registry.versions(DECISIONS)).isEmpty();
    }

    @Test
    void an_unguarded_registry_judges_the_subject_by_its_level_alone() {
      SchemaRegistry registry = new InMemorySchemaRegistry();
      registry.register(DECISIONS, Schema.create(Schema.Type.STRING));
      assertThat(registry.versions(DECISIONS)).containsExactly(1);
    }

    @Test
    void takes_one_event_record_after_the_union_which_backward_would_refuse() {
      SchemaRegistry registry = InMemorySchemaRegistry.guardingTheTopicContract();
      int union = registry.register(TELEMETRY, Topics.TELEMETRY.valueSchema());
      int crash = registry.register(TELEMETRY, CrashReport.getClassSchema());
      assertThat(crash).isNotEqualTo(union);
      assertThat(registry.versions(TELEMETRY)).containsExactly(1, 2);
    }
  }

  @Nested
  class Accepts {
    @Test
    void the_contract_itself() {
      assertThat(TopicContract.problems(TELEMETRY, Topics.TELEMETRY.valueSchema())).isEmpty();
    }

    @Test
    void one_event_record_of_the_union() {
      assertThat(TopicContract.problems(TELEMETRY, CrashReport.getClassSchema())).isEmpty();
    }

    @Test
    void anything_under_a_subject_outside_the_contract() {
      assertThat(TopicContract.problems("mine-value", Schema.create(Schema.Type.STRING))).isEmpty();
    }
  }
}
