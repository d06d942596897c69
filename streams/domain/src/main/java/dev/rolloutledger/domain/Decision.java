package dev.rolloutledger.domain;

import java.util.List;

/**
 * What one input produced, each list in the order it is to be published. {@code continuations}:
 * inputs the engine writes into its own journal to go on with bounded work in the next transaction
 * ({@link FanOutContinued}, {@link AssignmentContinued}); a driver of the engine feeds them back as
 * it feeds any input.
 */
public record Decision(
    List<LedgerEntry> entries,
    List<HostCommand> commands,
    List<Rejection> rejections,
    List<LedgerInput> continuations) {

  private static final Decision NONE = new Decision(List.of(), List.of(), List.of());

  public Decision {
    entries = List.copyOf(Checks.present("entries", entries));
    commands = List.copyOf(Checks.present("commands", commands));
    rejections = List.copyOf(Checks.present("rejections", rejections));
    continuations = List.copyOf(Checks.present("continuations", continuations));
    for (LedgerInput next : continuations) {
      if (!(next instanceof FanOutContinued) && !(next instanceof AssignmentContinued)) {
        throw new IllegalArgumentException("not a continuation: " + next.getClass().getName());
      }
    }
  }

  /** A decision that leaves nothing to continue. */
  public Decision(
      List<LedgerEntry> entries, List<HostCommand> commands, List<Rejection> rejections) {
    this(entries, commands, rejections, List.of());
  }

  public static Decision none() {
    return NONE;
  }

  public static Decision rejected(Rejection rejection) {
    return new Decision(List.of(), List.of(), List.of(rejection));
  }

  public boolean isEmpty() {
    return entries.isEmpty()
        && commands.isEmpty()
        && rejections.isEmpty()
        && continuations.isEmpty();
  }
}
