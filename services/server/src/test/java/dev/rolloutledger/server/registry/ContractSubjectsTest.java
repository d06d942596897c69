package dev.rolloutledger.server.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.registry.InMemorySchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.TopicContract;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * ContractSubjects registers the contract in whatever registry the server is configured with (the
 * embedded one, or the user's own through {@code ledger.schema-registry-url}); here an in-memory
 * one stands for the user's, which judges subjects by its level alone.
 */
class ContractSubjectsTest {
  @Test
  void registers_every_subject_of_the_contract_in_a_fresh_registry() {
    SchemaRegistry registry = new InMemorySchemaRegistry();

    ContractSubjects subjects = new ContractSubjects(registry);

    assertThat(registry.subjects())
        .containsExactlyInAnyOrderElementsOf(TopicContract.subjects().keySet());
    TopicContract.subjects()
        .forEach(
            (subject, schema) ->
                assertThat(registry.latest(subject).orElseThrow().schema())
                    .as(subject)
                    .isEqualTo(schema));
    assertThat(subjects.ids()).hasSize(TopicContract.subjects().size());
  }

  @Test
  void registers_the_rest_when_a_registry_refuses_one_subject() {
    // a user's registry where another application put "string" under the decisions subject
    SchemaRegistry registry = new InMemorySchemaRegistry();
    registry.register(Topics.LEDGER.valueSubject(), Schema.create(Schema.Type.STRING));

    ContractSubjects subjects = new ContractSubjects(registry);

    assertThat(subjects.ids())
        .doesNotContainKey(Topics.LEDGER.valueSubject())
        .containsKey(Topics.TELEMETRY.valueSubject())
        .hasSize(TopicContract.subjects().size() - 1);
  }

  @Test
  void starts_without_the_contract_when_the_registry_cannot_be_reached_and_asks_once() {
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    SchemaRegistry unreachable =
        (SchemaRegistry)
            java.lang.reflect.Proxy.newProxyInstance(
                SchemaRegistry.class.getClassLoader(),
                new Class<?>[] {SchemaRegistry.class},
                (proxy, method, args) -> {
                  asked.incrementAndGet();
                  throw new dev.rolloutledger.schemas.registry.SchemaRegistryException(
                      dev.rolloutledger.schemas.registry.SchemaRegistryException.UNAVAILABLE,
                      "connection refused");
                });

    ContractSubjects subjects = new ContractSubjects(unreachable);

    assertThat(subjects.ids()).isEmpty();
    assertThat(asked).hasValue(1);
  }

  @Test
  void writes_nothing_when_the_contract_is_already_there() {
    SchemaRegistry registry = new InMemorySchemaRegistry();
    var first = new ContractSubjects(registry).ids();

    var second = new ContractSubjects(registry).ids();

    assertThat(second).isEqualTo(first);
    TopicContract.subjects()
        .keySet()
        .forEach(s -> assertThat(registry.versions(s)).as(s).containsExactly(1));
  }
}
