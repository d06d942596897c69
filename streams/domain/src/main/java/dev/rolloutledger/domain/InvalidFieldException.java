package dev.rolloutledger.domain;

/**
 * A domain value failed validation. {@link #field()} names the offending field, so API layers can
 * report it (problem+json) and the topology can put it in a dead-letter reason.
 */
public final class InvalidFieldException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  public InvalidFieldException(String field, String problem) {
    super(field + " " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** The path of the offending field, e.g. {@code waves[1].maxCrashFraction}. */
  public String field() {
    return field;
  }

  /** What is wrong with it, e.g. {@code must be in [0,1]}. */
  public String problem() {
    return problem;
  }

  /**
   * This error as seen from an enclosing value: {@code e.within("waves[1]")} turns {@code
   * maxCrashFraction ...} into {@code waves[1].maxCrashFraction ...}. A {@link WavePlan} cannot
   * know its own index, so whoever builds the list (e.g. the HTTP server) adds it.
   */
  public InvalidFieldException within(String parent) {
    return new InvalidFieldException(parent + "." + field, problem);
  }
}
