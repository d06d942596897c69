package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger completion}: the script names every command, bash accepts it, and sourced in a real
 * bash its completion function completes commands, subcommands and {@code -o}'s values.
 */
class CompletionCommandTest {
  @TempDir Path dir;

  record Shell(int exit, String out, String err) {}

  Path script(String shell) throws Exception {
    LedgerCliTest.Run run = LedgerCliTest.ledger("completion", shell);
    assertThat(run.exit()).as(run.err()).isZero();
    return Files.writeString(dir.resolve("ledger-" + shell), run.out());
  }

  static Shell bash(String... args) throws Exception {
    Process p =
        new ProcessBuilder(
                java.util.stream.Stream.concat(
                        java.util.stream.Stream.of("bash"), List.of(args).stream())
                    .toList())
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Shell(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** COMPREPLY for the words typed so far (the last one being completed), one per line. */
  List<String> complete(Path script, String... words) throws Exception {
    String line = String.join(" ", words);
    StringBuilder array = new StringBuilder();
    for (String w : words) {
      array.append('"').append(w).append("\" ");
    }
    Shell s =
        bash(
            "-c",
            "source "
                + script
                + "; COMP_WORDS=("
                + array
                + "); COMP_CWORD="
                + (words.length - 1)
                + "; COMP_LINE='"
                + line
                + "'; COMP_POINT="
                + line.length()
                + "; _complete_ledger ledger \""
                + words[words.length - 1]
                + "\" \""
                + words[words.length - 2]
                + "\" 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertThat(s.exit()).as(s.err()).isZero();
    return s.out().lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void the_script_names_every_command_and_bash_accepts_it() throws Exception {
    Path script = script("bash");
    String text = Files.readString(script);

    for (String command :
        List.of("rollout", "hosts", "releases", "release", "tail", "token", "keys", "policy")) {
      assertThat(text).contains(command);
    }
    assertThat(text).contains("watch", "create", "--output");
    Shell syntax = bash("-n", script.toString());
    assertThat(syntax.exit()).as(syntax.err()).isZero();
  }

  @Test
  void sourced_in_bash_it_completes_commands_subcommands_and_output_formats() throws Exception {
    Path script = script("bash");

    assertThat(complete(script, "ledger", "rol")).containsExactly("rollout");
    assertThat(complete(script, "ledger", "rollout", "w")).containsExactly("watch");
    assertThat(complete(script, "ledger", "rollout", "status", "-o", ""))
        .containsExactlyInAnyOrder("table", "wide", "json");
  }

  @Test
  void zsh_gets_the_script_that_loads_bashcompinit() throws Exception {
    String text = Files.readString(script("zsh"));

    assertThat(text).contains("ZSH_VERSION", "bashcompinit", "complete -F _complete_ledger");
  }

  @Test
  void an_unknown_shell_is_refused_naming_the_choices() {
    LedgerCliTest.Run run = LedgerCliTest.ledger("completion", "fish");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("fish", "BASH", "ZSH");
  }
}
