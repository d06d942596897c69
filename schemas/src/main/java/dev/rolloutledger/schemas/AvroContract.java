package dev.rolloutledger.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 only instantiates specific classes it trusts. Anything that reads our records (the
 * serde, the rollout log) calls {@link #trust()} first: it trusts our generated contract, nothing
 * more.
 */
public final class AvroContract {
  private AvroContract() {}

  static {
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            c -> c.getPackageName().startsWith("dev.rolloutledger.avro")));
  }

  /** Makes sure the contract is trusted (the work is done once, when the class loads). */
  public static void trust() {
    // the static initializer did it
  }
}
