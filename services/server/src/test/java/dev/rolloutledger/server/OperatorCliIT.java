package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.cli.LedgerCli;
import dev.rolloutledger.server.auth.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's CLI against the real server and broker: every command a newcomer's walkthrough
 * uses, as a table and as JSON, and the exit codes of a refusal (2, naming the field) and of a
 * server that cannot be reached (3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestServer server;
  private Path dir;
  private Path adminToken;
  private final String tenant = "cli" + UUID.randomUUID().toString().substring(0, 8);

  record Run(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("ledger-cli-it");
    server = new TestServer("it-cli-" + UUID.randomUUID(), dir.resolve("server"));
    adminToken = Files.writeString(dir.resolve("admin.token"), server.token(tenant, Role.ADMIN));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private Run ledger(Path token, String... args) {
    return ledgerOf(tenant, token, args);
  }

  private Run ledgerOf(String tenant, Path token, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of("--server", server.url(""), "--tenant", tenant, "--token-file", token.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        LedgerCli.execute(
            all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private Run ledger(String... args) {
    return ledger(adminToken, args);
  }

  @Test
  void a_release_is_published_rolled_out_watched_and_halted_through_the_cli() throws Exception {
    Path artifact = Files.writeString(dir.resolve("cf-7"), "content 7");
    Path plan =
        Files.writeString(
            dir.resolve("plan.json"),
            "{\"waves\": [{\"name\": \"canary\", \"selector\": {\"env\": \"dev\"}, \"bake\":"
                + " \"PT1H\"}, {\"name\": \"rest\", \"selector\": {}, \"bake\": \"PT1H\"}]}");

    assertThat(ledger("hosts", "register", "w1", "w2", "--label", "env=dev").exit()).isZero();
    assertThat(ledger("hosts", "register", "p1", "-l", "env=prod").exit()).isZero();
    // w1's and w2's agents beat (p1's does not): hosts never heard from are sent no Apply
    server.reachable(Files.readString(adminToken), tenant, "w1", "w2");
    Run published = ledger("release", "publish", "cf-7", "--file", artifact.toString());
    assertThat(published.exit()).isZero();
    String sha256 =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest("content 7".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(published.out()).contains("published cf-7 sha256 " + sha256);
    assertThat(
            ledger("rollout", "create", "r-7", "--release", "cf-7", "--plan", plan.toString())
                .exit())
        .isZero();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("rollout", "status", "r-7").exit() == 0);
    Run status = ledger("rollout", "status", "r-7");
    assertThat(status.out()).contains("status ACTIVE", "current wave canary");
    assertThat(status.out().lines().filter(l -> l.startsWith("canary")).findFirst())
        .hasValueSatisfying(l -> assertThat(l.split("\\s+")[1]).isEqualTo("2"));
    JsonNode json = JSON.readTree(ledger("rollout", "status", "r-7", "--json").out());
    assertThat(json.get("waves").get(1).get("assigned").asInt()).isEqualTo(1);
    assertThat(ledger("rollout", "status").out()).contains("r-7", "cf-7", "ACTIVE");
    assertThat(ledger("tail", "r-7").out()).contains("1  ", "WaveStarted  wave canary  hosts 2");

    Run halted = ledger("rollout", "halt", "r-7", "--reason", "operator drill");
    assertThat(halted.exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("tail", "r-7").out().contains("RolloutHalted"));
    JsonNode entries =
        JSON.readTree(
            "["
                + String.join(",", ledger("tail", "r-7", "--json").out().strip().split("\n"))
                + "]");
    JsonNode halt = entries.get(entries.size() - 1);
    assertThat(halt.get("type").asText()).isEqualTo("RolloutHalted");
    assertThat(halt.get("reason").asText()).isEqualTo("manual halt");
    assertThat(halt.get("evidence").get("reason").asText()).isEqualTo("operator drill");
    assertThat(halt.get("evidence").get("by").asText())
        .startsWith("admin-"); // the token, not a flag

    // a rollback: w1 and w2 were sent the release and get Rollback; p1 never was
    assertThat(ledger("rollout", "rollback", "r-7", "--reason", "bad build").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("tail", "r-7").out().contains("reason: rollback"));
    String commands = "/api/v1/tenants/" + tenant + "/hosts/%s/commands?wait=PT10S&after=";
    String admin = Files.readString(adminToken);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                server.get(admin, commands.formatted("w1") + "0").body().contains("\"Rollback\""));
    assertThat(server.get(admin, commands.formatted("p1") + "0").body()).doesNotContain("Rollback");
  }

  @Test
  void plan_templates_are_listed_and_a_rollout_names_one_or_a_file() throws Exception {
    Run templates = ledger("plan", "templates");
    assertThat(templates.exit()).isZero();
    assertThat(templates.out().lines().filter(l -> l.startsWith("patch-server")).findFirst())
        .hasValueSatisfying(l -> assertThat(l).contains("PT288H", "PT3H"));
    assertThat(templates.out()).contains("dba", "classic");

    Run named = ledger("rollout", "create", "r-8", "--release", "cf-8", "--plan", "patch-server");
    Run unknown = ledger("rollout", "create", "r-9", "--release", "cf-8", "--plan", "nightly");
    Run noFile = ledger("rollout", "create", "r-9", "--release", "cf-8", "--plan", "no/plan.json");

    assertThat(named.exit()).isZero();
    assertThat(unknown.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(unknown.err()).contains("plan", "dba", "patch-server", "classic");
    assertThat(noFile.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(noFile.err()).contains("plan file no/plan.json not found");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger("rollout", "status", "r-8").exit() == 0);
  }

  @Test
  void a_token_made_by_the_cli_works_and_its_secret_is_alone_on_stdout() throws Exception {
    Run created = ledger("token", "create", "ops-bot", "--role", "viewer");
    assertThat(created.exit()).isZero();
    assertThat(created.out().strip()).startsWith("rl_").doesNotContain(" ");
    assertThat(created.err()).contains("ops-bot (viewer)");
    Path viewer = Files.writeString(dir.resolve("viewer.token"), created.out().strip());

    assertThat(ledger(viewer, "rollout", "status").exit()).isZero();
    Run refused = ledger(viewer, "hosts", "register", "x1");
    assertThat(refused.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(refused.err()).contains("HTTP 403", "viewer token may not POST");
    assertThat(ledger("token", "list").out()).contains("ops-bot", "viewer");
    assertThat(ledger("token", "revoke", "ops-bot").exit()).isZero();
    assertThat(ledger(viewer, "rollout", "status").err()).contains("HTTP 401");
  }

  @Test
  void refusals_exit_2_naming_what_is_wrong_and_an_unreachable_server_exits_3() throws Exception {
    Run unknown = ledger("rollout", "status", "no-such-rollout");
    assertThat(unknown.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(unknown.err()).contains("HTTP 404", "rollout no-such-rollout not found");

    // the policy of a tenant of its own: a pin would hold back the other tests' rollouts
    String owner = tenant + "-p";
    Path ownerToken =
        Files.writeString(dir.resolve("owner.token"), server.token(owner, Role.ADMIN));
    Run badPolicy = ledgerOf(owner, ownerToken, "policy", "set", "--window", "FUNDAY@02:00-04:00");
    assertThat(badPolicy.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(badPolicy.err()).contains("windows[0].days");
    Run badWindow = ledgerOf(owner, ownerToken, "policy", "set", "--window", "MONDAY");
    assertThat(badWindow.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(badWindow.err()).contains("expected DAYS@HH:MM-HH:MM");

    assertThat(
            ledgerOf(
                    owner,
                    ownerToken,
                    "policy",
                    "set",
                    "--pin",
                    "cf-6",
                    "--window",
                    "MONDAY,TUESDAY@02:00-04:00")
                .exit())
        .isZero();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledgerOf(owner, ownerToken, "policy", "show").out().contains("cf-6"));

    Run missing = ledger("release", "publish", "cf-8", "--file", dir.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(missing.err()).contains("not found");

    StringWriter err = new StringWriter();
    int exit =
        LedgerCli.execute(
            new String[] {
              "rollout",
              "status",
              "--server",
              "http://127.0.0.1:9",
              "--token-file",
              adminToken.toString()
            },
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
    assertThat(exit).isEqualTo(LedgerCli.FAILED);
    assertThat(err.toString()).contains("cannot reach http://127.0.0.1:9");
  }
}
