package dev.rolloutledger.server;

import io.micronaut.runtime.Micronaut;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/**
 * Starts the Rollout Ledger server: the topology, the HTTP API and the registry facade. The OpenAPI
 * document of the API is generated from the controllers when this module compiles and served at
 * {@code /openapi/rollout-ledger.yml}.
 */
@OpenAPIDefinition(
    info =
        @Info(
            title = "rollout-ledger",
            version = "v1",
            description =
                "Rollout Ledger control plane, telemetry ingest and agent command channel. Every"
                    + " /api/v1 call needs Authorization: Bearer <token>; errors are"
                    + " application/problem+json naming the field.",
            license = @License(name = "Apache-2.0")),
    security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    Micronaut.run(Application.class, args);
  }
}
