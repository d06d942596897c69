package dev.rolloutledger.infra;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** {@code ledger-broker.sh --add-user NAME --role ROLE}: a new principal of the closed broker. */
final class AddPrincipal {
  private AddPrincipal() {}

  /**
   * {@code --add-user NAME --role ROLE}: the principal's credentials file (0600), granted on the
   * running broker of the data dir (as the admin principal) or at its next start.
   */
  static int run(BrokerArgs args, PrintStream out, PrintStream err) {
    BrokerSecurity security = new BrokerSecurity(args.dataDir(), args.applicationId(), args.tls());
    Path file;
    try {
      file = security.ensureCredentials(args.addUser(), args.addRole());
    } catch (RuntimeException e) {
      err.println("ledger-broker: error: " + e.getMessage());
      return 1;
    }
    String bootstrap = runningBootstrap(args.readyFile());
    if (bootstrap == null) {
      err.printf(
          "ledger-broker: %s (%s) in %s; no broker runs on %s: granted at its next start%n",
          args.addUser(), args.addRole().id(), file, args.dataDir());
      out.println(file);
      return 0;
    }
    Properties admin =
        BrokerSecurity.connection(args.dataDir(), BrokerSecurity.ADMIN_USER, bootstrap)
            .properties();
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    try (Admin client = Admin.create(admin)) {
      security.apply(client, Duration.ofSeconds(30));
    } catch (RuntimeException | ExecutionException e) {
      err.println(
          "ledger-broker: error: cannot grant " + args.addUser() + " on " + bootstrap + ": " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    err.printf(
        "ledger-broker: %s (%s) granted on %s; its client settings: %s%n",
        args.addUser(), args.addRole().id(), bootstrap, file);
    out.println(file);
    return 0;
  }

  /** The bootstrap servers of the ready file of a running broker, or null. */
  private static String runningBootstrap(Path readyFile) {
    try {
      BrokerMain.removeStaleReadyFile(readyFile);
      if (!Files.exists(readyFile)) {
        return null;
      }
      String line = Files.readString(readyFile, StandardCharsets.UTF_8).trim();
      return line.substring(line.indexOf('=') + 1);
    } catch (IOException e) {
      return null;
    }
  }
}
