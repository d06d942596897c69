package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.compat.Compatibility;
import dev.rolloutledger.schemas.kafka.KafkaConnection;
import java.net.URI;

/**
 * Chooses the registry from configuration: a URL means the user's own Confluent-compatible
 * registry; no URL means the embedded registry stored in the Kafka cluster itself.
 */
public final class SchemaRegistries {
  private SchemaRegistries() {}

  /**
   * @param registryUrl {@code LEDGER_SCHEMA_REGISTRY_URL}; may carry {@code user:password@} for
   *     Basic auth; null or blank selects the embedded registry
   * @param bootstrapServers the Kafka cluster that stores the embedded registry
   */
  public static SchemaRegistry create(String registryUrl, String bootstrapServers) {
    return create(registryUrl, KafkaConnection.plaintext(bootstrapServers));
  }

  /** As above, on a cluster that needs client settings (SASL, TLS). */
  public static SchemaRegistry create(String registryUrl, KafkaConnection kafka) {
    if (registryUrl == null || registryUrl.isBlank()) {
      return new KafkaSchemaRegistry(kafka, Compatibility.Level.BACKWARD);
    }
    URI uri = URI.create(registryUrl);
    String credentials = uri.getUserInfo();
    String withoutCredentials =
        credentials == null ? registryUrl : registryUrl.replace(credentials + "@", "");
    return new HttpSchemaRegistryClient(withoutCredentials, credentials);
  }
}
