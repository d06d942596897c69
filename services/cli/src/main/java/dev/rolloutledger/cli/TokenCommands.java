package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ledger token create|list|revoke}: the tenant's API tokens (admin). */
@Command(
    name = "token",
    description = "API tokens of the tenant (admin).",
    subcommands = {
      TokenCommands.Create.class,
      TokenCommands.ListTokens.class,
      TokenCommands.Revoke.class
    })
final class TokenCommands {
  private TokenCommands() {}

  @Command(
      name = "create",
      description =
          "Create a token; its secret is printed once, alone on stdout, e.g. for"
              + " LEDGER_TOKEN=$(ledger token create ...).")
  static final class Create extends ServerCommands.Printing {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--role",
        required = true,
        description = "viewer, operator, approver, admin or agent.")
    String role;

    @Option(names = "--host", description = "The host an agent token speaks for.")
    String host;

    @Override
    void run(ApiClient client) throws Exception {
      ObjectNode body = Api.JSON.createObjectNode().put("name", name).put("role", role);
      if (host != null) {
        body.put("host", host);
      }
      JsonNode created = client.post(api.tenantPath("/tokens"), body);
      if (format() == Output.Format.JSON) {
        Output.json(out(), created);
      } else {
        err().println("token " + name + " (" + role + ") of tenant " + api.tenant + ":");
        out().println(created.get("token").asText());
      }
    }
  }

  @Command(name = "list", description = "The tenant's tokens (never their secrets).")
  static final class ListTokens extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("NAME", "name"),
            Output.Column.of("ROLE", "role"),
            Output.Column.of("HOST", "host"),
            Output.Column.of("CREATED", "createdAt"),
            Output.Column.wide("TENANT", "tenant"));

    @Override
    void run(ApiClient client) throws Exception {
      JsonNode all = client.get(api.tenantPath("/tokens"), Duration.ofSeconds(30));
      Output.print(out(), format(), all, all, COLUMNS);
    }
  }

  @Command(name = "revoke", description = "Revoke a token: it stops working at once.")
  static final class Revoke extends ServerCommands.Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    void run(ApiClient client) throws Exception {
      client.delete(api.tenantPath("/tokens/" + name));
      out().println("revoked " + name);
    }
  }
}
