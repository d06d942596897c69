package dev.rolloutledger.schemas.registry;

import org.junit.jupiter.api.BeforeEach;

class InMemorySchemaRegistryTest extends SchemaRegistryContract {
  private SchemaRegistry registry;

  @BeforeEach
  void fresh() {
    registry = new InMemorySchemaRegistry();
  }

  @Override
  protected SchemaRegistry registry() {
    return registry;
  }
}
