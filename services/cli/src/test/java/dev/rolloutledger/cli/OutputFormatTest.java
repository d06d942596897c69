package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -o table|wide|json} on the commands that print server data: table has the main columns,
 * wide more, json the server's answer (the same JSON tree); a bad value exits 2.
 */
class OutputFormatTest {
  static final String ROLLOUT =
      """
      {"tenant": "default", "rollout": "r1", "release": "cf-9", "status": "ACTIVE",
       "currentWave": "canary",
       "waves": [
         {"name": "canary", "selector": {"env": "dev"}, "assigned": 10, "applied": 8,
          "crashed": 1, "silent": 0, "hot": 0, "dispatched": 10, "unreachable": 1,
          "maxCrashFraction": 0.1, "bake": "PT1H", "approval": false, "approved": false,
          "maxFailureRate": null},
         {"name": "rest", "selector": {}, "assigned": 90, "applied": 0, "crashed": 0,
          "silent": 0, "hot": 0, "dispatched": 0, "unreachable": 0, "maxCrashFraction": 0.05,
          "bake": "PT2H", "approval": true, "approved": false, "maxFailureRate": 0.02}],
       "ledgerSeq": 7, "ledgerHead": "0123456789abcdef0123",
       "plannedAt": "2026-12-07T18:00:00Z", "waveStartedAt": "2026-12-07T18:01:00Z"}""";

  @TempDir Path dir;
  StubServer server;

  @BeforeEach
  void start() throws Exception {
    server =
        new StubServer(dir)
            .tenant("/rollouts", "[" + ROLLOUT + "]")
            .tenant("/rollouts/r1", ROLLOUT)
            .tenant(
                "/tokens",
                "[{\"tenant\": \"default\", \"name\": \"ops\", \"role\": \"viewer\","
                    + " \"host\": null, \"createdAt\": \"2026-12-07T10:00:00Z\"}]")
            .tenant(
                "/policy",
                "{\"pin\": \"cf-8\", \"paused\": false, \"windows\": [{\"days\": [\"MONDAY\","
                    + " \"TUESDAY\"], \"start\": \"02:00\", \"end\": \"04:00\", \"zone\":"
                    + " \"Europe/Paris\"}], \"delay\": \"PT0S\", \"allowedPublishers\": [],"
                    + " \"by\": \"admin-1\", \"trustedPublishers\": [{\"name\": \"vendor\","
                    + " \"publicKey\": \"MCow\", \"keyId\": \"2b3daf7cef8691f8\"}],"
                    + " \"publisherTrust\": \"signed\", \"publisherTrustSays\": \"Only releases"
                    + " signed by a trusted publisher's key may be rolled out.\"}")
            .tenant(
                "/rollouts/r1/ledger",
                "{\"rollout\": \"r1\", \"entries\": [{\"type\": \"WaveStarted\", \"seq\": 1,"
                    + " \"at\": \"2026-12-07T18:01:00Z\", \"prevHash\": \"00000000000000000000\","
                    + " \"hash\": \"abcdefabcdefabcdef99\", \"wave\": \"canary\", \"hosts\":"
                    + " [\"h1\", \"h2\"]}]}")
            .route(
                "/api/v1/keys",
                () ->
                    new StubServer.Answer(
                        200,
                        "{\"keys\": [{\"keyId\": \"k-1\", \"algorithm\": \"Ed25519\","
                            + " \"publicKey\": \"MCowBQYDK2VwAyEA\", \"status\": \"active\"}]}"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static List<String> header(StubServer.Run run) {
    return List.of(run.out().lines().findFirst().orElseThrow().split("\\s{2,}"));
  }

  @Nested
  class RolloutList {
    @Test
    void table_shows_the_main_columns() {
      StubServer.Run run = server.ledger("rollout", "status");

      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(header(run)).containsExactly("ROLLOUT", "RELEASE", "STATUS", "WAVE", "LEDGER");
      assertThat(run.out().lines().skip(1).findFirst().orElseThrow().split("\\s+"))
          .containsExactly("r1", "cf-9", "ACTIVE", "canary", "7");
    }

    @Test
    void wide_adds_progress_times_and_the_full_head() {
      StubServer.Run run = server.ledger("rollout", "status", "-o", "wide");

      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(header(run))
          .containsExactly(
              "ROLLOUT",
              "RELEASE",
              "STATUS",
              "WAVE",
              "LEDGER",
              "APPLIED",
              "PLANNED",
              "WAVE STARTED",
              "HEAD");
      assertThat(run.out()).contains("8/100", "2026-12-07T18:00:00Z", "0123456789abcdef0123");
    }

    @Test
    void json_is_the_server_s_answer() throws Exception {
      StubServer.Run longForm = server.ledger("rollout", "status", "--output", "json");
      StubServer.Run legacy = server.ledger("rollout", "status", "--json");

      assertThat(longForm.exit()).isZero();
      assertThat(Api.JSON.readTree(longForm.out()))
          .isEqualTo(Api.JSON.readTree("[" + ROLLOUT + "]"));
      assertThat(legacy.out()).isEqualTo(longForm.out());
    }
  }

  @Nested
  class OneRollout {
    @Test
    void table_has_a_summary_line_and_one_row_a_wave() {
      StubServer.Run run = server.ledger("rollout", "status", "r1", "-o", "table");

      List<String> lines = run.out().lines().toList();
      assertThat(lines.get(0)).contains("rollout r1", "status ACTIVE", "current wave canary");
      assertThat(lines.get(1).split("\\s+")).startsWith("WAVE", "HOSTS").endsWith("APPROVAL");
      assertThat(lines.get(2).split("\\s+"))
          .containsExactly("canary", "10", "10", "1", "8", "1", "0", "0", "PT1H", "-");
      assertThat(lines.get(3)).endsWith("needed");
      assertThat(run.out()).doesNotContain("SELECTOR");
    }

    @Test
    void wide_adds_limits_and_selectors() {
      StubServer.Run run = server.ledger("rollout", "status", "r1", "-o", "wide");

      List<String> lines = run.out().lines().toList();
      assertThat(lines.get(1)).endsWith("MAX CRASH  MAX FAILURE RATE  SELECTOR");
      assertThat(lines.get(2)).endsWith("env=dev");
      assertThat(lines.get(3)).contains("0.02").endsWith("(all)");
    }

    @Test
    void json_has_no_summary_line() throws Exception {
      StubServer.Run run = server.ledger("rollout", "status", "r1", "-o", "JSON");

      assertThat(Api.JSON.readTree(run.out())).isEqualTo(Api.JSON.readTree(ROLLOUT));
    }
  }

  @Test
  void tokens_table_wide_and_json() throws Exception {
    assertThat(header(server.ledger("token", "list")))
        .containsExactly("NAME", "ROLE", "HOST", "CREATED");
    assertThat(header(server.ledger("token", "list", "-o", "wide")))
        .containsExactly("NAME", "ROLE", "HOST", "CREATED", "TENANT");
    assertThat(
            Api.JSON
                .readTree(server.ledger("token", "list", "-o", "json").out())
                .get(0)
                .get("name")
                .asText())
        .isEqualTo("ops");
  }

  @Test
  void policy_show_is_a_table_with_windows_as_window_takes_them_and_json_on_request()
      throws Exception {
    StubServer.Run table = server.ledger("policy", "show");
    StubServer.Run wide = server.ledger("policy", "show", "-o", "wide");
    StubServer.Run json = server.ledger("policy", "show", "-o", "json");

    assertThat(header(table))
        .containsExactly("PIN", "PAUSED", "DELAY", "PUBLISHERS", "TRUST", "WINDOWS");
    assertThat(table.out())
        .contains(
            "cf-8",
            "(any)",
            "signed: vendor(2b3daf7cef8691f8)",
            "MONDAY,TUESDAY@02:00-04:00@Europe/Paris");
    // the policy says in a sentence how it knows who published a release; JSON has it as a field
    assertThat(table.out().strip()).endsWith("may be rolled out.");
    assertThat(Api.JSON.readTree(json.out()).get("publisherTrust").asText()).isEqualTo("signed");
    assertThat(header(wide)).contains("BY");
    assertThat(wide.out()).contains("admin-1");
    assertThat(Api.JSON.readTree(json.out()).get("pin").asText()).isEqualTo("cf-8");
  }

  @Test
  void keys_table_shows_ids_and_status_wide_the_public_key() {
    StubServer.Run table = server.ledger("keys");
    StubServer.Run wide = server.ledger("keys", "-o", "wide");

    assertThat(header(table)).containsExactly("KEY", "STATUS", "ALGORITHM");
    assertThat(table.out()).contains("k-1", "active").doesNotContain("MCowBQYDK2VwAyEA");
    assertThat(wide.out()).contains("MCowBQYDK2VwAyEA");
  }

  @Test
  void tail_table_shortens_the_hash_wide_shows_both_hashes_json_is_one_entry_a_line()
      throws Exception {
    StubServer.Run table = server.ledger("tail", "r1");
    StubServer.Run wide = server.ledger("tail", "r1", "-o", "wide");
    StubServer.Run json = server.ledger("tail", "r1", "-o", "json");

    assertThat(table.out().strip())
        .isEqualTo("1  2026-12-07T18:01:00Z  WaveStarted  wave canary  hosts 2  hash abcdefabcdef");
    assertThat(wide.out()).contains("prev 00000000000000000000", "hash abcdefabcdefabcdef99");
    assertThat(json.out().lines().toList()).hasSize(1);
    assertThat(Api.JSON.readTree(json.out()).get("hash").asText())
        .isEqualTo("abcdefabcdefabcdef99");
  }

  @Test
  void an_unknown_format_exits_2_naming_the_choices() {
    StubServer.Run run = server.ledger("rollout", "status", "-o", "yaml");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("--output", "yaml", "TABLE, WIDE, JSON");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void json_and_another_format_together_are_refused() {
    StubServer.Run run = server.ledger("rollout", "status", "--json", "-o", "wide");

    assertThat(run.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(run.err()).contains("--json and -o wide disagree");
  }
}
