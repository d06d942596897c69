package dev.rolloutledger.cli;

import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.replay.LogException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ledger}: the operator's command line. {@code ./ledger up|down|status|logs} are handled by
 * the launcher script; every other command comes here.
 *
 * <p>Exit codes: 0 done; 1 the answer is "no" (a log that does not verify, a watched rollout that
 * halted); 2 bad input (a usage error, an invalid scenario or plan, or a request the server refused
 * with 4xx: the message names the field); 3 anything else (I/O, Kafka, a server that cannot be
 * reached or answers 5xx); 4 {@code replay --checkpoint}: the checkpoint does not cover the log's
 * rollout.
 */
@Command(
    name = "ledger",
    versionProvider = LedgerCli.Version.class,
    description = "Rollout Ledger: staged, verifiable rollouts.",
    subcommands = {
      InventoryCommands.Hosts.class,
      ReleaseCommands.Release.class,
      ReleaseCommands.Releases.class,
      RolloutCommands.class,
      PlanCommands.class,
      PolicyCommands.class,
      TailCommand.class,
      TokenCommands.class,
      KeyCommands.Keys.class,
      AgentCommand.class,
      SimulateCommand.class,
      ReplayCommand.class,
      ExportCommand.class,
      CheckpointCommand.class,
      IncidentsCommand.class,
      ManifestsCommand.class,
      CompletionCommand.class
    })
public final class LedgerCli implements Runnable {
  public static final int ANSWER_NO = 1;
  public static final int BAD_INPUT = 2;
  public static final int FAILED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * {@code -h}/{@code --help} on every command and subcommand (inherited): picocli then prints the
   * usage and skips validation, so a command's required options do not refuse a request for help.
   * (Not {@code mixinStandardHelpOptions} inherited: {@code release publish} has its own {@code
   * --version}.)
   */
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      scope = CommandLine.ScopeType.INHERIT,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print the version and exit.")
  boolean version;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line with these streams; returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  /** The whole command tree, writing to these streams, with its error handling. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new LedgerCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof InvalidFieldException f) {
            cmd.getErr().println("ledger: invalid " + f.field() + ": " + f.problem());
            return BAD_INPUT;
          }
          if (e instanceof UsageProblem u) {
            cmd.getErr().println("ledger: " + u.getMessage());
            return BAD_INPUT;
          }
          if (e instanceof ApiClient.ApiException a) {
            cmd.getErr().println("ledger: " + a.getMessage());
            return a.status() < 500 ? BAD_INPUT : FAILED;
          }
          if (e instanceof java.io.IOException io) {
            cmd.getErr().println("ledger: " + io.getMessage());
            return FAILED;
          }
          if (e instanceof LogException l) {
            cmd.getErr().println("ledger: " + l.getMessage());
            return ANSWER_NO;
          }
          cmd.getErr().println("ledger: " + e);
          return FAILED;
        });
    return cli;
  }

  /** A file or argument the user gave that cannot be used; the message says which and why. */
  static final class UsageProblem extends RuntimeException {
    UsageProblem(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = LedgerCli.class.getPackage().getImplementationVersion();
      return new String[] {"ledger " + (v == null ? "development build" : v)};
    }
  }
}
