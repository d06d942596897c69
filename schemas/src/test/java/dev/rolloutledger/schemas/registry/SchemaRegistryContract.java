package dev.rolloutledger.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SchemaRegistry} must have: in-memory, Kafka-backed and the HTTP client
 * (against the server's Confluent-compatible REST facade) all extend this suite. Subjects are
 * unique per test, so implementations that share storage across tests still see a clean subject.
 */
public abstract class SchemaRegistryContract {

  /** A registry with BACKWARD compatibility (Confluent's default). */
  protected abstract SchemaRegistry registry();

  protected String subject;

  static final Schema V1 =
      SchemaBuilder.record("Probe")
          .namespace("contract")
          .fields()
          .requiredString("host")
          .endRecord();
  static final Schema V2_WITH_DEFAULT =
      SchemaBuilder.record("Probe")
          .namespace("contract")
          .fields()
          .requiredString("host")
          .name("region")
          .type()
          .stringType()
          .stringDefault("eu")
          .endRecord();
  static final Schema V2_WITHOUT_DEFAULT =
      SchemaBuilder.record("Probe")
          .namespace("contract")
          .fields()
          .requiredString("host")
          .requiredInt("cores")
          .endRecord();

  @BeforeEach
  void uniqueSubject() {
    subject = "contract-" + UUID.randomUUID() + "-value";
  }

  @Nested
  class Register {
    @Test
    void returns_the_same_id_when_the_same_schema_is_registered_twice() {
      int first = registry().register(subject, V1);
      int second = registry().register(subject, V1);
      assertThat(second).isEqualTo(first);
      assertThat(registry().versions(subject)).containsExactly(1);
    }

    @Test
    void gives_one_global_id_to_one_schema_across_subjects() {
      int a = registry().register(subject, V1);
      int b = registry().register(subject + "-other", V1);
      assertThat(b).isEqualTo(a);
    }

    @Test
    void adds_a_version_for_a_compatible_change() {
      int v1 = registry().register(subject, V1);
      int v2 = registry().register(subject, V2_WITH_DEFAULT);
      assertThat(v2).isNotEqualTo(v1);
      assertThat(registry().versions(subject)).containsExactly(1, 2);
      RegisteredSchema latest = registry().latest(subject).orElseThrow();
      assertThat(latest.version()).isEqualTo(2);
      assertThat(latest.id()).isEqualTo(v2);
      assertThat(latest.schema()).isEqualTo(V2_WITH_DEFAULT);
      assertThat(registry().version(subject, 1).orElseThrow().schema()).isEqualTo(V1);
    }

    @Test
    void refuses_a_breaking_change_naming_the_field() {
      registry().register(subject, V1);
      assertThatThrownBy(() -> registry().register(subject, V2_WITHOUT_DEFAULT))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE))
          .hasMessageContaining("cores");
      assertThat(registry().versions(subject)).containsExactly(1);
    }
  }

  @Nested
  class Lookup {
    @Test
    void finds_a_schema_by_its_id() {
      int id = registry().register(subject, V2_WITH_DEFAULT);
      assertThat(registry().byId(id)).isEqualTo(V2_WITH_DEFAULT);
    }

    @Test
    void reports_an_unknown_id_as_schema_not_found() {
      int id = registry().register(subject, V1);
      int unknown = id == Integer.MAX_VALUE ? 1 : id + 1;
      assertThatThrownBy(() -> registry().byId(unknown))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void has_no_latest_version_for_an_unknown_subject() {
      assertThat(registry().latest(subject)).isEmpty();
      assertThat(registry().versions(subject)).isEmpty();
      assertThat(registry().version(subject, 1)).isEmpty();
    }

    @Test
    void lists_registered_subjects() {
      registry().register(subject, V1);
      assertThat(registry().subjects()).contains(subject).isSorted();
    }
  }

  @Nested
  class CompatibilityCheck {
    @Test
    void accepts_any_schema_for_a_new_subject() {
      assertThat(registry().compatibilityProblems(subject, V2_WITHOUT_DEFAULT)).isEmpty();
    }

    @Test
    void accepts_a_field_added_with_a_default() {
      registry().register(subject, V1);
      assertThat(registry().compatibilityProblems(subject, V2_WITH_DEFAULT)).isEmpty();
    }

    @Test
    void names_the_field_of_a_breaking_change() {
      registry().register(subject, V1);
      assertThat(registry().compatibilityProblems(subject, V2_WITHOUT_DEFAULT))
          .isNotEmpty()
          .anySatisfy(p -> assertThat(p).contains("cores"));
    }
  }
}
