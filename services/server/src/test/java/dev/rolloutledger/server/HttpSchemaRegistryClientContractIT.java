package dev.rolloutledger.server;

import dev.rolloutledger.schemas.registry.HttpSchemaRegistryClient;
import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.schemas.registry.SchemaRegistryContract;
import dev.rolloutledger.server.auth.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The registry contract through the HTTP client, against the server's Confluent-compatible REST
 * facade ({@code /registry}). No Confluent registry is served here, so the facade stands in for a
 * user's own registry; the client speaks only the public Confluent REST API.
 */
class HttpSchemaRegistryClientContractIT extends SchemaRegistryContract {
  private static TestServer server;
  private static SchemaRegistry client;

  @BeforeAll
  static void start() throws IOException {
    server =
        new TestServer(
            "it-registry-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it-state"));
    // writes need an admin token (the registry's readers need any token)
    client =
        HttpSchemaRegistryClient.withBearerToken(
            server.url("/registry"), server.token("registry-contract", Role.ADMIN));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Override
  protected SchemaRegistry registry() {
    return client;
  }
}
