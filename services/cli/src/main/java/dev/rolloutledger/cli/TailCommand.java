package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rolloutledger.agent.ApiClient;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ledger tail ROLLOUT}: a rollout's ledger, one line per entry; {@code -o json} prints each
 * entry as the server sent it, one JSON object a line (JSON Lines), so a script can follow it.
 */
@Command(
    name = "tail",
    description = "A rollout's ledger, entry by entry; --follow waits for new ones.")
final class TailCommand extends ServerCommands.Printing {
  @Parameters(index = "0", paramLabel = "ROLLOUT")
  String rollout;

  @Option(names = "--from", defaultValue = "1", description = "First seq (default 1).")
  long from;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new entries until stopped.")
  boolean follow;

  @Override
  void run(ApiClient client) throws Exception {
    Output.Format format = format();
    long next = from;
    while (true) {
      JsonNode page =
          client.get(
              api.tenantPath("/rollouts/" + rollout + "/ledger?fromSeq=" + next + "&limit=500"),
              Duration.ofSeconds(30));
      for (JsonNode e : page.path("entries")) {
        out().println(line(e, format));
        next = e.get("seq").asLong() + 1;
      }
      out().flush();
      // the server leaves nextSeq out on the last page (docs/api.md)
      if (page.hasNonNull("nextSeq")) {
        next = page.get("nextSeq").asLong();
        continue;
      }
      if (!follow) {
        return;
      }
      Thread.sleep(1000);
    }
  }

  /** One entry as a line: its seq, time, type, wave, hosts, reason, evidence and hash. */
  static String line(JsonNode e, Output.Format format) throws IOException {
    if (format == Output.Format.JSON) {
      return Api.JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(e);
    }
    StringBuilder line =
        new StringBuilder()
            .append(Output.text(e, "seq"))
            .append("  ")
            .append(Output.text(e, "at"))
            .append("  ")
            .append(Output.text(e, "type"));
    if (e.hasNonNull("wave")) {
      line.append("  wave ").append(e.get("wave").asText());
    }
    if (e.hasNonNull("hosts")) {
      line.append("  hosts ").append(e.get("hosts").size());
    }
    if (e.hasNonNull("reason")) {
      line.append("  reason: ").append(e.get("reason").asText());
    }
    if (e.hasNonNull("evidence")) {
      line.append("  ").append(e.get("evidence"));
    }
    if (format == Output.Format.WIDE) {
      line.append("  prev ").append(Output.text(e, "prevHash"));
      line.append("  hash ").append(Output.text(e, "hash"));
    } else {
      line.append("  hash ").append(Output.shortened(Output.text(e, "hash"), 12));
    }
    return line.toString();
  }
}
