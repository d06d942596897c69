package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code --help} and {@code -h} on every command of the tree, walked from the root, so a command
 * added later is covered too: exit 0, its usage on stdout, nothing on stderr, even when the command
 * has required options or parameters.
 */
class HelpOnEveryCommandTest {
  /** Every command's path of names below the root, e.g. [rollout, create]; [] is the root. */
  static Stream<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    walk(LedgerCli.commandLine(sink(), sink()), new ArrayList<>(), all);
    return all.stream();
  }

  private static void walk(CommandLine cmd, List<String> path, List<List<String>> all) {
    all.add(List.copyOf(path));
    for (var sub : cmd.getSubcommands().entrySet()) {
      path.add(sub.getKey());
      walk(sub.getValue(), path, all);
      path.remove(path.size() - 1);
    }
  }

  private static PrintWriter sink() {
    return new PrintWriter(new StringWriter());
  }

  @ParameterizedTest(name = "ledger {0} --help")
  @MethodSource("commands")
  void help_exits_0_and_prints_the_command_s_usage(List<String> path) {
    for (String flag : List.of("--help", "-h")) {
      List<String> args = new ArrayList<>(path);
      args.add(flag);
      LedgerCliTest.Run run = LedgerCliTest.ledger(args.toArray(String[]::new));

      assertThat(run.exit()).as("ledger %s", args).isZero();
      assertThat(run.err()).as("ledger %s", args).isEmpty();
      String usage = String.join(" ", prepend("ledger", path));
      assertThat(run.out()).as("ledger %s", args).startsWith("Usage: " + usage);
      assertThat(run.out()).contains("-h, --help");
    }
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  @Test
  void the_walk_covers_the_whole_tree_including_nested_and_required_option_commands() {
    List<String> names = commands().map(p -> String.join(" ", p)).toList();

    assertThat(names)
        .contains(
            "",
            "rollout",
            "rollout create",
            "rollout watch",
            "release publish",
            "hosts cordon",
            "keys generate",
            "policy set",
            "token create",
            "completion",
            "replay");
    assertThat(names.size()).isGreaterThan(30);
  }

  @Test
  void a_command_with_required_options_still_refuses_to_run_without_them() {
    LedgerCliTest.Run run = LedgerCliTest.ledger("rollout", "create", "r1");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("Missing required option: '--release=<release>'");
  }
}
