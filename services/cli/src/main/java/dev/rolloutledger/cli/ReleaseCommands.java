package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.agent.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ledger release publish} and {@code ledger releases}: what may be rolled out. */
final class ReleaseCommands {
  private ReleaseCommands() {}

  @Command(
      name = "release",
      description = "Publish releases.",
      subcommands = {
        Release.Publish.class,
        PublisherCommands.Keygen.class,
        PublisherCommands.Sign.class
      })
  static final class Release {
    @Command(
        name = "publish",
        description =
            "Publish a release; its SHA-256 is computed from the artifact file, which agents check"
                + " before applying. With --signed, a release a publisher signed (`ledger release"
                + " sign`), sent as it is.")
    static final class Publish extends ServerCommands.Printing {
      @Parameters(
          index = "0",
          arity = "0..1",
          paramLabel = "RELEASE",
          description = "Release id (not with --signed).")
      String release;

      @Option(
          names = "--signed",
          paramLabel = "FILE",
          description = "A signed release, as `ledger release sign` wrote it.")
      Path signed;

      @Mixin ReleaseFields fields;

      @Option(names = "--publisher", defaultValue = "operator", description = "Publisher.")
      String publisher;

      @Override
      void run(ApiClient client) throws Exception {
        if (signed != null) {
          if (release != null || !fields.noArtifact()) {
            throw new LedgerCli.UsageProblem(
                "--signed FILE holds the whole release: no RELEASE, --file or --sha256 with it");
          }
          JsonNode body = Api.JSON.readTree(Files2.read(signed));
          if (!body.isObject() || !body.hasNonNull("signature")) {
            throw new LedgerCli.UsageProblem(
                signed + " is not a signed release (`ledger release sign` writes one)");
          }
          accepted(
              client.post(api.tenantPath("/releases"), body),
              "published "
                  + body.path("release").asText()
                  + " signed by key "
                  + dev.rolloutledger.domain.PublisherSignatures.keyId(
                      body.path("publisherKey").asText()));
          return;
        }
        if (release == null) {
          throw new LedgerCli.UsageProblem("give RELEASE, or --signed FILE");
        }
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("release", release);
        body.put("artifact", fields.artifact);
        body.put("version", fields.version(release));
        body.put("publisher", publisher);
        body.put("sha256", fields.digest());
        body.put("severity", fields.severity().name());
        accepted(
            client.post(api.tenantPath("/releases"), body),
            "published " + release + " sha256 " + body.get("sha256").asText());
      }
    }
  }

  @Command(name = "releases", description = "The published releases, by id.")
  static final class Releases extends ServerCommands.Printing {
    static final List<Output.Column> COLUMNS =
        List.of(
            Output.Column.of("RELEASE", "release"),
            Output.Column.of("ARTIFACT", "artifact"),
            Output.Column.of("VERSION", "version"),
            Output.Column.of("SEVERITY", "severity"),
            Output.Column.of("PUBLISHER", "publisher"),
            // the id of the key that signed it (one word, so the table splits on spaces), or no
            Output.Column.of(
                "SIGNED_BY",
                r -> r.path("signed").asBoolean() ? r.path("publisherKeyId").asText() : "no"),
            Output.Column.of("PUBLISHED", "publishedAt"),
            Output.Column.digest("SHA256", "sha256"));

    @Override
    void run(ApiClient client) throws Exception {
      JsonNode all = client.get(api.tenantPath("/releases"), Duration.ofSeconds(30));
      Output.print(out(), format(), all, all, COLUMNS);
    }
  }
}
