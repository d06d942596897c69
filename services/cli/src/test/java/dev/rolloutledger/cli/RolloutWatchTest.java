package dev.rolloutledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ledger rollout watch} against a server whose rollout moves on with each poll: piped, one
 * plain line per change; exit 0 on COMPLETED, 1 on HALTED; evidence read incrementally, and a
 * server without the evidence endpoint (404) watched without it.
 */
class RolloutWatchTest {
  @TempDir Path dir;
  StubServer server;
  final AtomicInteger polls = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = new StubServer(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String rollout(String status, int applied) {
    return """
        {"rollout": "r1", "release": "cf-9", "status": "%s", "currentWave": "all",
         "waves": [{"name": "all", "assigned": 4, "applied": %d, "crashed": 0, "silent": 0,
                    "hot": 0, "dispatched": 4, "unreachable": 0, "bake": "PT1M",
                    "approval": false, "approved": false}],
         "ledgerSeq": 3, "ledgerHead": "ab", "plannedAt": "2026-12-07T19:00:00Z",
         "waveStartedAt": "2026-12-07T19:00:00Z"}"""
        .formatted(status, applied);
  }

  /** The rollout as the n-th poll sees it: the last answer repeats. */
  void answers(String... rollouts) {
    server.route(
        "/api/v1/tenants/default/rollouts/r1",
        () -> {
          int n = Math.min(polls.getAndIncrement(), rollouts.length - 1);
          return new StubServer.Answer(200, rollouts[n]);
        });
  }

  @Test
  void piped_it_prints_a_line_per_change_and_exits_0_when_the_rollout_completes() {
    answers(
        rollout("ACTIVE", 1),
        rollout("ACTIVE", 1),
        rollout("ACTIVE", 1),
        rollout("ACTIVE", 4),
        rollout("COMPLETED", 4));

    StubServer.Run run = server.ledger("rollout", "watch", "r1", "--interval", "PT0.1S");

    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .endsWith("r1 ACTIVE wave all | all 1/4 applied 0 failed 0 unreachable");
    assertThat(lines.get(1)).contains("all 4/4 applied");
    assertThat(lines.get(2)).contains("r1 COMPLETED");
    assertThat(run.out()).doesNotContain("\u001b");
    assertThat(polls.get()).isEqualTo(5);
  }

  @Test
  void exits_1_when_the_rollout_halts() {
    answers(rollout("ACTIVE", 1), rollout("HALTED", 1));

    StubServer.Run run = server.ledger("rollout", "watch", "r1", "--interval", "PT0.1S");

    assertThat(run.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(run.out().lines().toList().get(1)).contains("r1 HALTED");
  }

  @Test
  void reads_evidence_pages_once_each_and_shows_the_latest_point() {
    answers(rollout("ACTIVE", 1), rollout("ACTIVE", 1), rollout("HALTED", 1));
    AtomicInteger evidenceCalls = new AtomicInteger();
    String point =
        "{\"n\": %d, \"at\": \"2026-12-07T19:00:0%dZ\", \"wave\": \"all\", \"signals\":"
            + " [{\"signal\": \"CRASH\", \"eValue\": %d, \"threshold\": 60.0}]}";
    server.route(
        "/api/v1/tenants/default/rollouts/r1/evidence",
        () -> {
          String body =
              switch (evidenceCalls.getAndIncrement()) {
                case 0 ->
                    "{\"rollout\": \"r1\", \"points\": ["
                        + point.formatted(0, 0, 1)
                        + ", "
                        + point.formatted(1, 1, 2)
                        + "], \"next\": 2}";
                case 1 ->
                    "{\"rollout\": \"r1\", \"points\": ["
                        + point.formatted(2, 2, 5)
                        + "], \"next\": null}";
                case 2 -> "{\"rollout\": \"r1\", \"points\": [], \"next\": null}";
                default ->
                    "{\"rollout\": \"r1\", \"points\": ["
                        + point.formatted(3, 3, 70)
                        + "], \"next\": null}";
              };
          return new StubServer.Answer(200, body);
        });

    StubServer.Run run = server.ledger("rollout", "watch", "r1", "--interval", "PT0.1S");

    assertThat(run.exit()).isEqualTo(LedgerCli.ANSWER_NO);
    assertThat(server.requests.stream().filter(r -> r.contains("/evidence")))
        .containsExactly(
            "/api/v1/tenants/default/rollouts/r1/evidence?from=0&limit=500",
            "/api/v1/tenants/default/rollouts/r1/evidence?from=2&limit=500",
            "/api/v1/tenants/default/rollouts/r1/evidence?from=3&limit=500",
            "/api/v1/tenants/default/rollouts/r1/evidence?from=3&limit=500");
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).endsWith("| evidence all CRASH 5/60");
    assertThat(lines.get(lines.size() - 1)).contains("HALTED").endsWith("CRASH 70/60");
  }

  @Test
  void without_the_evidence_endpoint_it_watches_the_waves_alone() {
    answers(rollout("COMPLETED", 4));

    StubServer.Run run = server.ledger("rollout", "watch", "r1");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("r1 COMPLETED").doesNotContain("evidence");
    assertThat(server.requests).anyMatch(r -> r.contains("/evidence"));
  }

  @Test
  void an_unknown_rollout_exits_2_after_a_few_tries_and_a_bad_interval_at_once() {
    StubServer.Run unknown = server.ledger("rollout", "watch", "r1", "--interval", "PT0.1S");
    StubServer.Run badInterval = server.ledger("rollout", "watch", "r1", "--interval", "1s");

    assertThat(unknown.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(unknown.err()).contains("HTTP 404");
    assertThat(server.requests.stream().filter(r -> r.endsWith("/rollouts/r1")))
        .hasSize(RolloutWatch.TOLERATED_FAILURES + 1);
    assertThat(badInterval.exit()).isEqualTo(LedgerCli.BAD_INPUT);
    assertThat(badInterval.err()).contains("--interval must be an ISO-8601 duration");
  }
}
