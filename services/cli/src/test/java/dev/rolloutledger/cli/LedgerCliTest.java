package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerCliTest {
  static final String SCENARIO =
      """
      {"name": "cli", "seed": 5, "horizon": "PT1H",
       "fleet": {"hosts": 60, "labels": {"env": {"dev": 0.2, "prod": 0.8}}},
       "release": {"id": "r-1", "severity": "NORMAL"},
       "behavior": {"failProbability": 0.9, "failDelay": {"median": "PT10S", "p95": "PT30S"}},
       "plan": {"waves": [{"name": "dev", "selector": {"env": "dev"}, "bake": "PT5M"},
                          {"name": "prod", "selector": {}, "bake": "PT5M"}]},
       "historical": {"propagation": "PT5M"}}
      """;

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run ledger(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = LedgerCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Nested
  class Keys {
    @Test
    void generate_adds_a_new_key_beside_the_old_one_and_refuses_a_used_directory()
        throws Exception {
      Path keys = dir.resolve("keys.json");
      assertThat(
              ledger("keys", "generate", dir.resolve("k1").toString(), "--add-to", keys.toString())
                  .exit())
          .isZero();
      Run second =
          ledger("keys", "generate", dir.resolve("k2").toString(), "--add-to", keys.toString());

      assertThat(second.exit()).isZero();
      assertThat(second.err()).contains("now trusts 2 key(s)");
      var trusted = dev.rolloutledger.agent.TrustedKeys.read(keys);
      assertThat(trusted.size()).isEqualTo(2);
      var k2 = dev.rolloutledger.schemas.commands.CommandSigningKey.loadOrCreate(dir.resolve("k2"));
      assertThat(trusted.get(k2.keyId())).contains(k2.publicKey());

      Run reused =
          ledger("keys", "generate", dir.resolve("k1").toString(), "--add-to", keys.toString());
      assertThat(reused.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(reused.err()).contains("already holds a key");
      assertThat(dev.rolloutledger.agent.TrustedKeys.read(keys).size()).isEqualTo(2);
    }

    @Test
    void a_server_command_without_any_token_exits_2_saying_where_tokens_come_from() {
      Run r = ledger("rollout", "status", "--token-file", dir.resolve("missing.token").toString());
      assertThat(r.exit()).isEqualTo(LedgerCli.BAD_INPUT);
      assertThat(r.err()).contains("cannot read token file");
    }
  }

  @Nested
  class Simulate {
    @Test
    void prints_the_report_and_writes_the_same_bytes_each_run() throws Exception {
      Path scenario = write("s.json", SCENARIO);
      Path out = dir.resolve("report.json");

      Run first = ledger("simulate", scenario.toString(), "--out", out.toString());
      Run second = ledger("simulate", scenario.toString());

      assertThat(first.exit()).isZero();
      assertThat(first.out()).contains("\"halted\": true", "\"haltedWave\": \"dev\"");
      assertThat(first.out()).isEqualTo(second.out()).isEqualTo(Files.readString(out));
      assertThat(first.err()).isEmpty(); // no progress bar when not on a terminal
    }

    @Test
    void an_invalid_scenario_exits_2_naming_the_field() throws Exception {
      Path scenario = write("bad.json", SCENARIO.replace("\"dev\": 0.2", "\"dev\": 0.3"));

      Run run = ledger("simulate", scenario.toString());

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains("fleet.labels.env").contains("add up to 1");
      assertThat(run.out()).isEmpty();
    }

    @Test
    void an_unknown_field_exits_2_naming_it() throws Exception {
      Path scenario = write("typo.json", SCENARIO.replace("\"failDelay\"", "\"failDelai\""));

      Run run = ledger("simulate", scenario.toString());

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains("behavior.failDelai");
    }

    @Test
    void a_missing_file_exits_2_naming_it() {
      Run run = ledger("simulate", dir.resolve("nope.json").toString());

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains("nope.json").contains("no such file");
    }
  }

  @Nested
  class Replay {
    Path log() throws Exception {
      Path log = dir.resolve("log.jsonl");
      assertThat(
              ledger("simulate", write("s.json", SCENARIO).toString(), "--log", log.toString())
                  .exit())
          .isZero();
      return log;
    }

    @Test
    void verifies_a_simulated_log() throws Exception {
      Path log = log();
      long lines = Files.lines(log).count();

      Run run = ledger("replay", "--verify", log.toString());

      assertThat(run.exit()).isZero();
      // every line but the header and the end line is an entry
      assertThat(run.out()).startsWith("verified " + (lines - 2) + " entries");
    }

    @Test
    void exits_1_naming_the_first_line_that_diverges() throws Exception {
      Path log = log();
      List<String> lines = new ArrayList<>(Files.readAllLines(log));
      lines.remove(5);
      Files.write(log, lines);

      Run run = ledger("replay", "--verify", log.toString());

      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err()).contains("line 6 breaks the hash chain");
    }

    @Test
    void what_if_prints_both_reports() throws Exception {
      Path plan =
          write(
              "plan.json",
              """
              {"waves": [{"name": "all", "selector": {}, "maxCrashFraction": 1.0}],
               "maxDispatchPerMinute": 100000}""");

      Run run = ledger("replay", "--plan", plan.toString(), log().toString());

      assertThat(run.exit()).isZero();
      assertThat(run.out()).contains("\"whatIf\"", "\"actual\"", "\"assumedHealthy\"");
    }

    @Test
    void what_if_with_an_invalid_plan_exits_2_naming_option_and_field() throws Exception {
      Path plan = write("plan.json", "{\"waves\": [{\"name\": \"all\", \"bake\": \"soon\"}]}");

      Run run = ledger("replay", "--plan", plan.toString(), log().toString());

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains("--plan").contains("waves[0].bake");
    }

    @Test
    void needs_verify_or_a_plan() throws Exception {
      Run run = ledger("replay", log().toString());

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains("--verify");
    }
  }
}
