package dev.rolloutledger.domain;

import java.util.List;

/** What one input produced, each list in the order it is to be published. */
public record Decision(
    List<LedgerEntry> entries, List<HostCommand> commands, List<Rejection> rejections) {

  private static final Decision NONE = new Decision(List.of(), List.of(), List.of());

  public Decision {
    entries = List.copyOf(Checks.present("entries", entries));
    commands = List.copyOf(Checks.present("commands", commands));
    rejections = List.copyOf(Checks.present("rejections", rejections));
  }

  public static Decision none() {
    return NONE;
  }

  public static Decision rejected(Rejection rejection) {
    return new Decision(List.of(), List.of(), List.of(rejection));
  }

  public boolean isEmpty() {
    return entries.isEmpty() && commands.isEmpty() && rejections.isEmpty();
  }
}
