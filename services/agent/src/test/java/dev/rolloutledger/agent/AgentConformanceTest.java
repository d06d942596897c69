package dev.rolloutledger.agent;

import static dev.rolloutledger.agent.Commands.HOST;
import static dev.rolloutledger.agent.Commands.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent conformance suite: what an attacker who controls the channel (or a broken server) can
 * send, and what a flaky network does to valid commands. Every mutated command is refused with the
 * right reason and leaves the agent exactly as it was, on disk and in memory; every valid command,
 * delivered three times in random order, acts exactly once and in seq order.
 */
class AgentConformanceTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final int MUTATIONS = 10_000;

  final CommandSigningKey key = CommandSigningKey.generate();
  final CommandSigningKey stranger = CommandSigningKey.generate();
  final TrustedKeys trusted = new TrustedKeys(Map.of(key.keyId(), key.publicKey()));
  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dir;

  /** Records what the agent asked the host to do; an apply fails if the SHA-256 is not right. */
  static final class RecordingInstaller implements Installer {
    final List<String> calls = new ArrayList<>();

    @Override
    public void apply(String release, String sha256) throws InstallException {
      calls.add("apply " + release);
      if (!Commands.sha256(release).equals(sha256)) {
        throw new InstallException("sha256 mismatch for " + release);
      }
    }

    @Override
    public void rollback(String release) {
      calls.add("rollback " + release);
    }
  }

  static final class RecordingTelemetry implements TelemetrySink {
    final List<String> reports = new ArrayList<>();

    @Override
    public void applied(String release, boolean ok, String error) {
      reports.add(release + " " + ok);
    }
  }

  /** An agent of {@link Commands#HOST} on a state file of its own in the test's directory. */
  Agent agentOn(String stateFile, Installer installer, TelemetrySink telemetry) {
    return new Agent(
        TENANT, HOST, trusted, new StateFile(dir.resolve(stateFile)), installer, telemetry, clock);
  }

  CommandSignatures.Fields valid(String action, String release, long seq) {
    return Commands.sign(
        Commands.unsigned(action, TENANT, HOST, release, seq, NOW.minusSeconds(60)), key);
  }

  /** Seq 1..n: Apply r-1, Apply r-2, Hold, Rollback r-2, Apply r-5, ... in a repeating pattern. */
  List<CommandSignatures.Fields> history(int n) {
    List<CommandSignatures.Fields> out = new ArrayList<>();
    for (int seq = 1; seq <= n; seq++) {
      String action =
          switch (seq % 4) {
            case 3 -> "Hold";
            case 0 -> "Rollback";
            default -> "Apply";
          };
      // a Rollback names the release it takes back: the one applied two seqs before
      out.add(valid(action, "r-" + (action.equals("Rollback") ? seq - 2 : seq), seq));
    }
    return out;
  }

  enum Mutation {
    REPLAYED,
    LOWER_SEQ,
    EXPIRED,
    NOT_YET_VALID,
    WRONG_HOST,
    WRONG_TENANT,
    BAD_SIGNATURE,
    UNKNOWN_KEY,
    TAMPERED
  }

  @Test
  void ten_thousand_mutated_commands_are_all_refused_and_change_nothing() throws Exception {
    RecordingInstaller installer = new RecordingInstaller();
    RecordingTelemetry telemetry = new RecordingTelemetry();
    StateFile file = new StateFile(dir.resolve("agent.json"));
    Agent agent = new Agent(TENANT, HOST, trusted, file, installer, telemetry, clock);
    List<CommandSignatures.Fields> acted = history(8);
    for (CommandSignatures.Fields c : acted) {
      assertThat(agent.offer(c))
          .extracting(Agent.Outcome::kind)
          .containsOnly(Agent.Outcome.Kind.ACTED);
    }
    byte[] stateBefore = Files.readAllBytes(file.path());
    AgentState memoryBefore = agent.state();
    List<String> callsBefore = List.copyOf(installer.calls);
    List<String> reportsBefore = List.copyOf(telemetry.reports);

    Random random = new Random(20261125);
    Map<Mutation, Integer> refused = new EnumMap<>(Mutation.class);
    for (int i = 0; i < MUTATIONS; i++) {
      Mutation m = Mutation.values()[i % Mutation.values().length];
      CommandSignatures.Fields bad = mutate(m, acted, random);
      List<Agent.Outcome> outcomes = agent.offer(bad);

      assertThat(outcomes).as("%s #%d", m, i).hasSize(1);
      assertThat(outcomes.get(0).kind()).as("%s #%d", m, i).isEqualTo(Agent.Outcome.Kind.REJECTED);
      assertThat(outcomes.get(0).rejection()).as("%s #%d", m, i).isEqualTo(expected(m));
      refused.merge(m, 1, Integer::sum);
    }

    assertThat(refused.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(MUTATIONS);
    assertThat(refused).hasSize(Mutation.values().length);
    assertThat(Files.readAllBytes(file.path())).isEqualTo(stateBefore);
    assertThat(agent.state()).isEqualTo(memoryBefore);
    assertThat(agent.pendingSeqs()).isEmpty();
    assertThat(agent.settle()).isEmpty();
    assertThat(installer.calls).isEqualTo(callsBefore);
    assertThat(telemetry.reports).isEqualTo(reportsBefore);
    // and a restarted agent reads the same state back; only one agent runs on a state at a time
    assertThatThrownBy(() -> new Agent(TENANT, HOST, trusted, file, installer, telemetry, clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another agent");
    agent.close();
    try (Agent restarted = new Agent(TENANT, HOST, trusted, file, installer, telemetry, clock)) {
      assertThat(restarted.state()).isEqualTo(memoryBefore);
    }
  }

  private static Rejection expected(Mutation m) {
    return switch (m) {
      case REPLAYED, LOWER_SEQ -> Rejection.REPLAYED;
      case EXPIRED -> Rejection.EXPIRED;
      case NOT_YET_VALID -> Rejection.NOT_YET_VALID;
      case WRONG_HOST -> Rejection.WRONG_HOST;
      case WRONG_TENANT -> Rejection.WRONG_TENANT;
      case BAD_SIGNATURE, TAMPERED -> Rejection.BAD_SIGNATURE;
      case UNKNOWN_KEY -> Rejection.UNKNOWN_KEY;
    };
  }

  private CommandSignatures.Fields mutate(
      Mutation m, List<CommandSignatures.Fields> acted, Random random) {
    long last = acted.size();
    long next = last + 1 + random.nextInt(50);
    String release = "r-x" + random.nextInt(1000);
    Instant issued = NOW.minusSeconds(random.nextInt(600));
    return switch (m) {
      case REPLAYED -> acted.get(random.nextInt(acted.size()));
      case LOWER_SEQ ->
          Commands.sign(
              Commands.unsigned(
                  "Apply", TENANT, HOST, release, random.nextInt((int) last + 1), issued),
              key);
      case EXPIRED -> {
        Instant old = NOW.minusSeconds(3600 + random.nextInt(86_400));
        yield Commands.sign(Commands.unsigned("Apply", TENANT, HOST, release, next, old), key);
      }
      case NOT_YET_VALID ->
          Commands.sign(
              Commands.unsigned(
                  "Apply",
                  TENANT,
                  HOST,
                  release,
                  next,
                  NOW.plus(Agent.CLOCK_SKEW).plusSeconds(1 + random.nextInt(600))),
              key);
      case WRONG_HOST ->
          Commands.sign(
              Commands.unsigned(
                  "Apply", TENANT, "web-" + (2 + random.nextInt(99)), release, next, issued),
              key);
      case WRONG_TENANT ->
          Commands.sign(
              Commands.unsigned(
                  "Apply", "tenant-" + random.nextInt(99), HOST, release, next, issued),
              key);
      case BAD_SIGNATURE -> {
        CommandSignatures.Fields ok =
            Commands.sign(Commands.unsigned("Apply", TENANT, HOST, release, next, issued), key);
        byte[] sig = ok.signature().clone();
        if (random.nextBoolean()) {
          sig[random.nextInt(sig.length)] ^= (byte) (1 << random.nextInt(8));
        } else {
          random.nextBytes(sig);
        }
        yield Commands.with(ok, key.keyId(), sig);
      }
      case UNKNOWN_KEY ->
          random.nextBoolean()
              ? Commands.sign(
                  Commands.unsigned("Apply", TENANT, HOST, release, next, issued), stranger)
              : Commands.with(
                  Commands.unsigned("Apply", TENANT, HOST, release, next, issued), null, null);
      case TAMPERED ->
          tamper(
              Commands.sign(Commands.unsigned("Apply", TENANT, HOST, release, next, issued), key),
              random);
    };
  }

  /** One signed field changed after signing, or a stranger's signature under the trusted key id. */
  private CommandSignatures.Fields tamper(CommandSignatures.Fields f, Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> Commands.edit(f, e -> e.action = "Rollback");
      case 1 -> Commands.edit(f, e -> e.commandId += "x");
      case 2 -> Commands.edit(f, e -> e.rollout = "r-evil");
      case 3 -> Commands.edit(f, e -> e.release = "evil-release");
      case 4 -> Commands.edit(f, e -> e.sha256 = "0".repeat(64));
      case 5 -> Commands.edit(f, e -> e.sha256 = null);
      case 6 -> Commands.edit(f, e -> e.seq += 1 + random.nextInt(1000));
      case 7 -> Commands.edit(f, e -> e.expiresAt = e.expiresAt.plusSeconds(86_400));
      case 8 -> Commands.edit(f, e -> e.issuedAt = e.issuedAt.minusSeconds(1));
      default ->
          Commands.sign(
              Commands.unsigned(
                  f.action(), f.tenant(), f.host(), f.release(), f.seq(), f.issuedAt()),
              stranger,
              key.keyId());
    };
  }

  @Test
  void valid_commands_delivered_three_times_out_of_order_act_exactly_once_in_seq_order()
      throws Exception {
    List<CommandSignatures.Fields> commands = history(400);
    // the reference: each command once, in order
    RecordingInstaller inOrder = new RecordingInstaller();
    RecordingTelemetry inOrderReports = new RecordingTelemetry();
    Agent reference = agentOn("ref.json", inOrder, inOrderReports);
    commands.forEach(reference::offer);

    List<CommandSignatures.Fields> delivered = new ArrayList<>();
    for (int copy = 0; copy < 3; copy++) {
      delivered.addAll(commands);
    }
    Collections.shuffle(delivered, new Random(7));
    RecordingInstaller installer = new RecordingInstaller();
    RecordingTelemetry telemetry = new RecordingTelemetry();
    Agent agent = agentOn("agent.json", installer, telemetry);
    Map<Long, Integer> actedPerSeq = new HashMap<>();
    List<Long> actedOrder = new ArrayList<>();
    int refusedCopies = 0;
    for (CommandSignatures.Fields c : delivered) {
      for (Agent.Outcome o : agent.offer(c)) {
        if (o.kind() == Agent.Outcome.Kind.ACTED) {
          actedPerSeq.merge(o.seq(), 1, Integer::sum);
          actedOrder.add(o.seq());
        } else if (o.kind() == Agent.Outcome.Kind.REJECTED) {
          assertThat(o.rejection()).isIn(Rejection.REPLAYED, Rejection.DUPLICATE);
          refusedCopies++;
        }
      }
    }

    assertThat(actedPerSeq)
        .hasSize(commands.size())
        .allSatisfy((seq, n) -> assertThat(n).isEqualTo(1));
    assertThat(actedOrder).isSorted();
    assertThat(refusedCopies).isEqualTo(2 * commands.size());
    assertThat(agent.pendingSeqs()).isEmpty();
    assertThat(installer.calls).isEqualTo(inOrder.calls);
    assertThat(telemetry.reports).isEqualTo(inOrderReports.reports);
    assertThat(agent.state()).isEqualTo(reference.state());
    assertThat(agent.state().lastSeq()).isEqualTo(commands.size());
  }

  @Test
  void the_seq_is_persisted_before_acting_so_a_crash_mid_apply_never_acts_twice() throws Exception {
    StateFile file = new StateFile(dir.resolve("agent.json"));
    List<Long> seqOnDiskDuringApply = new ArrayList<>();
    Installer crashing =
        new Installer() {
          @Override
          public void apply(String release, String sha256) {
            seqOnDiskDuringApply.add(file.load(TENANT, HOST).lastSeq());
            throw new IllegalStateException("power cut");
          }

          @Override
          public void rollback(String release) {}
        };
    Agent agent = new Agent(TENANT, HOST, trusted, file, crashing, new RecordingTelemetry(), clock);
    CommandSignatures.Fields apply = valid("Apply", "r-1", 1);
    try {
      agent.offer(apply);
    } catch (IllegalStateException expected) {
      // the process would have died here
    }
    assertThat(seqOnDiskDuringApply).containsExactly(1L);
    assertThat(file.load(TENANT, HOST).inProgress()).isEqualTo(apply.commandId());
    agent.close(); // the process is gone: so is its lock

    RecordingInstaller installer = new RecordingInstaller();
    Agent restarted =
        new Agent(TENANT, HOST, trusted, file, installer, new RecordingTelemetry(), clock);
    assertThat(restarted.state().inProgress()).isNull();
    assertThat(restarted.offer(apply))
        .extracting(Agent.Outcome::rejection)
        .containsExactly(Rejection.REPLAYED);
    assertThat(installer.calls).isEmpty();
  }

  @Test
  void an_apply_whose_artifact_does_not_match_reports_failure_and_installs_nothing()
      throws Exception {
    RecordingInstaller installer = new RecordingInstaller();
    RecordingTelemetry telemetry = new RecordingTelemetry();
    Agent agent = agentOn("a.json", installer, telemetry);
    CommandSignatures.Fields u = Commands.unsigned("Apply", TENANT, HOST, "r-1", 1, NOW);
    CommandSignatures.Fields wrongSha =
        Commands.sign(Commands.edit(u, e -> e.sha256 = "f".repeat(64)), key);

    assertThat(agent.offer(wrongSha))
        .extracting(Agent.Outcome::kind)
        .containsExactly(Agent.Outcome.Kind.ACTED);
    assertThat(telemetry.reports).containsExactly("r-1 false");
    assertThat(agent.state().installed()).isNull();
    assertThat(agent.state().lastSeq()).isEqualTo(1);
  }

  @Test
  void a_rollback_goes_back_to_the_release_before_and_only_for_the_release_installed() {
    RecordingInstaller installer = new RecordingInstaller();
    Agent agent = agentOn("a.json", installer, new RecordingTelemetry());
    agent.offer(valid("Apply", "r-1", 1));
    agent.offer(valid("Apply", "r-2", 2));

    agent.offer(valid("Rollback", "r-1", 3)); // r-1 is not what runs here: nothing happens
    assertThat(agent.state().installed()).isEqualTo("r-2");
    agent.offer(valid("Rollback", "r-2", 4));

    assertThat(installer.calls).containsExactly("apply r-1", "apply r-2", "rollback r-1");
    assertThat(agent.state().installed()).isEqualTo("r-1");
    assertThat(agent.state().previous()).isNull();
    assertThat(agent.state().lastSeq()).isEqualTo(4);
  }

  @Test
  void settle_acts_on_waiting_commands_across_a_gap_in_seq_order_and_skips_the_expired() {
    RecordingInstaller installer = new RecordingInstaller();
    Clock[] now = {clock};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0].instant();
          }
        };
    Agent agent =
        new Agent(
            TENANT,
            HOST,
            trusted,
            new StateFile(dir.resolve("a.json")),
            installer,
            new RecordingTelemetry(),
            moving);
    CommandSignatures.Fields soonExpired =
        Commands.sign(
            Commands.unsigned("Apply", TENANT, HOST, "r-3", 3, NOW.minusSeconds(3599)), key);

    assertThat(agent.offer(valid("Apply", "r-5", 5)))
        .extracting(Agent.Outcome::kind)
        .containsExactly(Agent.Outcome.Kind.PENDING);
    assertThat(agent.offer(soonExpired))
        .extracting(Agent.Outcome::kind)
        .containsExactly(Agent.Outcome.Kind.PENDING);
    assertThat(installer.calls).isEmpty();
    now[0] = Clock.fixed(NOW.plusSeconds(2), ZoneOffset.UTC);

    assertThat(agent.settle())
        .extracting(Agent.Outcome::seq, Agent.Outcome::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, Agent.Outcome.Kind.SKIPPED),
            org.assertj.core.groups.Tuple.tuple(5L, Agent.Outcome.Kind.ACTED));
    assertThat(installer.calls).containsExactly("apply r-5");
    assertThat(agent.state().lastSeq()).isEqualTo(5);
  }
}
