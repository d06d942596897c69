package dev.rolloutledger.server;

import dev.rolloutledger.schemas.compat.Compatibility;
import dev.rolloutledger.schemas.registry.KafkaSchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract against the embedded registry stored in a real Kafka topic. */
class KafkaSchemaRegistryContractIT extends SchemaRegistryContract {
  private static KafkaSchemaRegistry registry;

  @BeforeAll
  static void connect() {
    registry = new KafkaSchemaRegistry(TestKafka.bootstrapServers(), Compatibility.Level.BACKWARD);
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @Override
  protected SchemaRegistry registry() {
    return registry;
  }
}
