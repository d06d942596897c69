package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rolloutledger.agent.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a server shares, and how they become an {@link
 * ApiClient}. A token is never an argument (it would show in {@code ps} and shell history): it
 * comes from {@code LEDGER_TOKEN}, or the file named by {@code --token-file} / {@code
 * LEDGER_TOKEN_FILE}, or the bootstrap admin token {@code ./ledger up} wrote.
 */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String DEFAULT_TOKEN_FILE = ".ledger/bootstrap-admin.token";

  /** Mixed into every server command. */
  static final class Options {
    @Option(
        names = "--server",
        defaultValue = "${env:LEDGER_SERVER:-http://127.0.0.1:8080}",
        description = "Server URL (env LEDGER_SERVER; default ${DEFAULT-VALUE}).")
    String server;

    @Option(
        names = "--tenant",
        defaultValue = "${env:LEDGER_TENANT:-default}",
        description = "Tenant (env LEDGER_TENANT; default ${DEFAULT-VALUE}).")
    String tenant;

    @Option(
        names = "--token-file",
        defaultValue = "${env:LEDGER_TOKEN_FILE}",
        description =
            "File holding the API token (env LEDGER_TOKEN_FILE). Without it: env LEDGER_TOKEN,"
                + " then "
                + DEFAULT_TOKEN_FILE
                + ".")
    Path tokenFile;

    @Option(
        names = "--ca-cert",
        defaultValue = "${env:LEDGER_CA_CERT}",
        description =
            "PEM file of the CA (or the self-signed certificate) that an https:// server's"
                + " certificate must chain to (env LEDGER_CA_CERT; default: the JVM's trust store).")
    Path caCert;

    ApiClient client() {
      if (caCert != null && !Files.isReadable(caCert)) {
        throw new LedgerCli.UsageProblem(
            "--ca-cert / LEDGER_CA_CERT names " + caCert + ", which is not a readable file");
      }
      try {
        return new ApiClient(
            URI.create(server.endsWith("/") ? server : server + "/"), token(), caCert);
      } catch (IllegalArgumentException e) {
        throw new LedgerCli.UsageProblem(e.getMessage());
      }
    }

    String tenantPath(String path) {
      return "/api/v1/tenants/" + tenant + path;
    }

    private String token() {
      if (tokenFile != null) {
        return read(tokenFile);
      }
      String env = System.getenv("LEDGER_TOKEN");
      if (env != null && !env.isBlank()) {
        return env.strip();
      }
      Path bootstrap = Path.of(DEFAULT_TOKEN_FILE);
      if (Files.isReadable(bootstrap)) {
        return read(bootstrap);
      }
      throw new LedgerCli.UsageProblem(
          "no API token: set LEDGER_TOKEN, or --token-file FILE, or run ./ledger up (it writes "
              + DEFAULT_TOKEN_FILE
              + ")");
    }

    private static String read(Path file) {
      try {
        String t = Files.readString(file).strip();
        if (t.isEmpty()) {
          throw new LedgerCli.UsageProblem(file + " is empty: it should hold an API token");
        }
        return t;
      } catch (IOException e) {
        throw new LedgerCli.UsageProblem("cannot read token file " + file + ": " + e.getMessage());
      }
    }
  }

  private Api() {}
}
