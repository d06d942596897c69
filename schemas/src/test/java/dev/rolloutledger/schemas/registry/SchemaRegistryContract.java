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
  class LookupBySchema {
    @Test
    void finds_the_version_and_id_of_a_registered_schema() {
      registry().register(subject, V1);
      int id = registry().register(subject, V2_WITH_DEFAULT);
      RegisteredSchema found = registry().lookup(subject, V2_WITH_DEFAULT, false).orElseThrow();
      assertThat(found.version()).isEqualTo(2);
      assertThat(found.id()).isEqualTo(id);
    }

    @Test
    void finds_nothing_for_a_schema_the_subject_does_not_hold() {
      registry().register(subject, V1);
      assertThat(registry().lookup(subject, V2_WITH_DEFAULT, false)).isEmpty();
      assertThat(registry().lookup(subject + "-unknown", V1, false)).isEmpty();
    }

    @Test
    void lists_the_subject_versions_that_hold_an_id() {
      int id = registry().register(subject, V1);
      registry().register(subject + "-other", V1);
      assertThat(registry().usages(id, false))
          .extracting(RegisteredSchema::subject, RegisteredSchema::version)
          .contains(
              org.assertj.core.groups.Tuple.tuple(subject, 1),
              org.assertj.core.groups.Tuple.tuple(subject + "-other", 1));
    }
  }

  @Nested
  class SoftDelete {
    @Test
    void hides_a_deleted_version_from_reads_but_keeps_its_id_resolvable() {
      int v1 = registry().register(subject, V1);
      registry().register(subject, V2_WITH_DEFAULT);

      assertThat(registry().deleteVersion(subject, 2)).isEqualTo(2);

      assertThat(registry().versions(subject)).containsExactly(1);
      assertThat(registry().versions(subject, true)).containsExactly(1, 2);
      assertThat(registry().latest(subject).orElseThrow().id()).isEqualTo(v1);
      assertThat(registry().version(subject, 2)).isEmpty();
      assertThat(registry().version(subject, 2, true).orElseThrow().schema())
          .isEqualTo(V2_WITH_DEFAULT);
      assertThat(registry().lookup(subject, V2_WITH_DEFAULT, false)).isEmpty();
      assertThat(registry().lookup(subject, V2_WITH_DEFAULT, true)).isPresent();
      int v2 = registry().version(subject, 2, true).orElseThrow().id();
      assertThat(registry().byId(v2)).isEqualTo(V2_WITH_DEFAULT);
    }

    @Test
    void hides_a_subject_whose_every_version_is_deleted() {
      registry().register(subject, V1);
      registry().deleteVersion(subject, 1);
      assertThat(registry().subjects()).doesNotContain(subject);
      assertThat(registry().subjects(true)).contains(subject);
      assertThat(registry().latest(subject)).isEmpty();
    }

    @Test
    void checks_compatibility_against_the_latest_version_not_deleted() {
      registry().register(subject, V1);
      registry().register(subject, V2_WITH_DEFAULT);
      registry().deleteVersion(subject, 2);
      assertThat(registry().compatibilityProblems(subject, V2_WITHOUT_DEFAULT))
          .anySatisfy(p -> assertThat(p).contains("cores"));
    }

    @Test
    void restores_a_deleted_version_when_its_schema_is_registered_again() {
      int id = registry().register(subject, V1);
      registry().deleteVersion(subject, 1);
      assertThat(registry().register(subject, V1)).isEqualTo(id);
      assertThat(registry().versions(subject)).containsExactly(1);
    }

    @Test
    void refuses_to_delete_a_missing_or_already_deleted_version() {
      assertThatThrownBy(() -> registry().deleteVersion(subject, 1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
      registry().register(subject, V1);
      assertThatThrownBy(() -> registry().deleteVersion(subject, 2))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
      registry().deleteVersion(subject, 1);
      assertThatThrownBy(() -> registry().deleteVersion(subject, 1))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e ->
                  assertThat(e.errorCode())
                      .isEqualTo(SchemaRegistryException.VERSION_SOFT_DELETED));
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
