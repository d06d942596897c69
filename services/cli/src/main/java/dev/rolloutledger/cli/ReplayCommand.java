package dev.rolloutledger.cli;

import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.replay.Checkpoint;
import dev.rolloutledger.replay.CheckpointVerifier;
import dev.rolloutledger.replay.RolloutLogReader;
import dev.rolloutledger.replay.RolloutReplay;
import dev.rolloutledger.replay.ScenarioJson;
import dev.rolloutledger.replay.WhatIf;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ledger replay}: verify a rollout log, or replay it under another plan (what-if). */
@Command(
    name = "replay",
    description = {
      "--verify: recomputes every decision of LOG.jsonl from its inputs with the same engine and"
          + " checks them and the hash chain. Exit 0 \"verified N entries\", or 1 naming the first"
          + " line that diverges.",
      "--plan/--policy: what-if. Replays the recorded rollout under another plan or policy: each"
          + " host's recorded outcome moves to when it would have applied. Prints the report of"
          + " `ledger simulate` for the new plan and for what actually happened.",
      "--checkpoint FILE --keys KEYS.json (with --verify): also checks the checkpoint's"
          + " signature against KEYS.json and that the log's entry with the checkpoint's seq has"
          + " the checkpoint's hash (docs/checkpoints.md).",
      "Exit codes: 0 done, 1 the log does not verify (or is tampered with, or does not extend"
          + " the checkpoint, or the checkpoint's signature is refused), 2 bad input, 4 the"
          + " checkpoint has no head for the log's rollout."
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Mode mode;

  /** Either --verify, or a what-if with --plan, --policy or both. */
  static final class Mode {
    @Option(names = "--verify", required = true, description = "Verify the log.")
    boolean verify;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WhatIfFiles whatIf;
  }

  static final class WhatIfFiles {
    @Option(
        names = "--plan",
        paramLabel = "PLAN.json",
        description = "What-if: replay the rollout under this plan (the API's plan JSON).")
    Path plan;

    @Option(
        names = "--policy",
        paramLabel = "POLICY.json",
        description = "What-if: replay under this owner's policy (the API's policy JSON).")
    Path policy;
  }

  @Option(
      names = "--horizon",
      defaultValue = "P14D",
      description =
          "What-if: how long after the rollout was planned to run at most (${DEFAULT-VALUE}).")
  java.time.Duration horizon;

  @Option(names = "--out", paramLabel = "REPORT.json", description = "What-if: also write here.")
  Path out;

  @Parameters(index = "0", paramLabel = "LOG.jsonl", description = "A rollout log.")
  Path logFile;

  @Option(names = "--quiet", description = "No progress bar, even on a terminal.")
  boolean quiet;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "With --verify: prove that the log extends this checkpoint (`ledger checkpoint`).")
  Path checkpointFile;

  @Option(
      names = "--keys",
      paramLabel = "KEYS.json",
      description =
          "With --checkpoint: the deployment's public keys (`ledger keys --out`, the agents' keys"
              + " file); a checkpoint signed by another key is refused.")
  Path keysFile;

  /** Exit code: the checkpoint says nothing about the log's rollout. */
  static final int NOT_IN_CHECKPOINT = 4;

  @Override
  public Integer call() throws Exception {
    if (!mode.verify && (checkpointFile != null || keysFile != null)) {
      throw new LedgerCli.UsageProblem("--checkpoint and --keys go with --verify");
    }
    if (keysFile != null && checkpointFile == null) {
      throw new LedgerCli.UsageProblem("--keys goes with --checkpoint");
    }
    return mode.verify ? verify() : whatIf();
  }

  private Integer whatIf() throws Exception {
    Plan plan =
        mode.whatIf.plan == null
            ? null
            : within("--plan", () -> ScenarioJson.plan(Files2.read(mode.whatIf.plan)));
    WhatIf.Result result;
    try (InputStream in = Files2.open(logFile);
        Progress progress = Progress.of("what-if", quiet)) {
      String tenant = tenantOf(logFile);
      OwnerPolicy policy =
          mode.whatIf.policy == null
              ? null
              : within(
                  "--policy", () -> ScenarioJson.policy(Files2.read(mode.whatIf.policy), tenant));
      result =
          WhatIf.run(
              in,
              plan,
              policy,
              horizon,
              (elapsed, total) ->
                  progress.update(
                      elapsed.toSeconds(),
                      total.toSeconds(),
                      "virtual " + elapsed.toString().substring(2)));
    }
    String json = result.toJson() + "\n";
    spec.commandLine().getOut().print(json);
    spec.commandLine().getOut().flush();
    if (out != null) {
      Files2.write(out, json);
    }
    return 0;
  }

  /** The log's tenant (its header), for the policy. */
  private static String tenantOf(Path log) {
    try (InputStream in = Files2.open(log)) {
      return new RolloutLogReader(in).header().tenant();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Names the option whose file holds the refused field. */
  private static <T> T within(String option, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (InvalidFieldException e) {
      throw new LedgerCli.UsageProblem(option + ": invalid " + e.field() + ": " + e.problem());
    }
  }

  private Integer verify() throws Exception {
    CheckpointCheck check = checkpointFile == null ? null : CheckpointCheck.read(this);
    if (check != null) {
      Integer refused = check.signature();
      if (refused != null) {
        return refused;
      }
    }
    long size = Files.exists(logFile) ? Files.size(logFile) : 0;
    long start = System.nanoTime();
    RolloutReplay.Verified v;
    try (InputStream in = Files2.open(logFile);
        Progress progress = Progress.of("verify", quiet)) {
      v = RolloutReplay.verify(in, bytes -> progress.update(bytes, size, () -> mb(bytes)));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "verified %d entries (%d inputs, %d decisions) of rollout %s/%s in %.1f s (%.0f"
                + " entries/s)%n",
            v.entries(),
            v.inputs(),
            v.decisions(),
            v.header().tenant(),
            v.header().rollout(),
            seconds,
            v.entries() / Math.max(seconds, 1e-9));
    return check == null ? 0 : check.extension(logFile);
  }

  /** The checkpoint part of --verify: its signature first, then whether the log extends it. */
  private static final class CheckpointCheck {
    private final ReplayCommand command;
    private final Checkpoint checkpoint;
    private final CheckpointVerifier verifier;

    private CheckpointCheck(ReplayCommand command, Checkpoint checkpoint, CheckpointVerifier v) {
      this.command = command;
      this.checkpoint = checkpoint;
      this.verifier = v;
    }

    static CheckpointCheck read(ReplayCommand command) {
      if (command.keysFile == null) {
        throw new LedgerCli.UsageProblem(
            "--checkpoint needs --keys KEYS.json: the deployment's public keys (`ledger keys --out"
                + " KEYS.json`), which its signature must verify with");
      }
      Checkpoint c =
          within("--checkpoint", () -> Checkpoint.parse(Files2.read(command.checkpointFile)));
      CheckpointVerifier v =
          within(
              "--keys",
              () ->
                  CheckpointVerifier.fromKeysFile(
                      Files2.read(command.keysFile), command.keysFile.toString()));
      return new CheckpointCheck(command, c, v);
    }

    /** Null when the signature verifies; else the exit code, after saying why. */
    Integer signature() {
      return verifier
          .signature(checkpoint)
          .map(
              verdict -> {
                command.spec.commandLine().getErr().println("ledger: " + verdict.message());
                return LedgerCli.ANSWER_NO;
              })
          .orElse(null);
    }

    int extension(Path log) throws java.io.IOException {
      CheckpointVerifier.Verdict verdict;
      try (InputStream in = Files2.open(log)) {
        verdict = verifier.verify(checkpoint, in);
      }
      if (verdict.extendsCheckpoint()) {
        command.spec.commandLine().getOut().println(verdict.message());
        return 0;
      }
      command.spec.commandLine().getErr().println("ledger: " + verdict.message());
      return verdict.outcome() == CheckpointVerifier.Outcome.ABSENT
          ? NOT_IN_CHECKPOINT
          : LedgerCli.ANSWER_NO;
    }
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
  }
}
