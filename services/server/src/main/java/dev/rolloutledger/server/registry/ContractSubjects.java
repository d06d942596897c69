package dev.rolloutledger.server.registry;

import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryException;
import dev.rolloutledger.schemas.registry.TopicContract;
import io.micronaut.context.annotation.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers every subject of the topic contract ({@link TopicContract}) when the server starts, in
 * the embedded registry or in the one {@code ledger.schema-registry-url} names, so an external
 * producer on a fresh install finds the subject it looks up. Registering a schema already there
 * writes nothing. A subject that refuses the contract (a schema registered there before the
 * registry guarded its subjects, or your own registry's level) or a registry that cannot be reached
 * is logged with the way out and the server starts anyway.
 */
@Context
public class ContractSubjects {
  private static final Logger LOG = LoggerFactory.getLogger(ContractSubjects.class);

  private final Map<String, Integer> ids = new LinkedHashMap<>();

  public ContractSubjects(SchemaRegistry registry) {
    for (Map.Entry<String, Schema> e : TopicContract.subjects().entrySet()) {
      try {
        ids.put(e.getKey(), registry.register(e.getKey(), e.getValue()));
      } catch (SchemaRegistryException ex) {
        if (ex.errorCode() == SchemaRegistryException.UNAVAILABLE) {
          // a registry of your own that cannot be reached does not keep the server down: each
          // topic's serializer registers its schema on its first write
          LOG.error(
              "the schema registry cannot be reached, the topic contract is not registered: {}",
              ex.getMessage());
          break;
        }
        LOG.error(
            "the registry refuses the topic contract's schema for {} (error {}: {}); records"
                + " written to that topic will fail until an admin soft-deletes the version that"
                + " blocks it: DELETE /registry/subjects/{}/versions/<version>",
            e.getKey(),
            ex.errorCode(),
            ex.getMessage(),
            e.getKey());
      }
    }
    LOG.info("topic contract registered: {} subjects", ids.size());
  }

  /** The id of each contract subject registered at start-up. */
  public Map<String, Integer> ids() {
    return Map.copyOf(ids);
  }
}
