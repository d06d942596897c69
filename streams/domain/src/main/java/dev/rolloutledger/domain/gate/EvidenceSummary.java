package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;

/**
 * What the ledger records about a {@link CohortEvidence}: counts, and numbers in the canonical text
 * of {@link LedgerDecimal}, so the entry (and its hash) is the same on every JDK.
 *
 * @param updatedFailures failures observed in the updated cohort
 * @param baselineFailures failures observed in the baseline cohort
 * @param eValue evidence of a regression ({@link CohortEvidence#eValue()})
 * @param toleratedRatio the plan's tolerated failure-rate ratio
 * @param safetyEvidence evidence that the release is not {@code toleratedRatio} times worse
 * @param alpha the alpha the upper bound was computed at
 * @param ratioUpperBound anytime-valid upper bound on the failure-rate ratio, or {@code Infinity}
 */
public record EvidenceSummary(
    long updatedFailures,
    long baselineFailures,
    String eValue,
    String toleratedRatio,
    String safetyEvidence,
    String alpha,
    String ratioUpperBound) {

  public EvidenceSummary {
    if (updatedFailures < 0) {
      throw new InvalidFieldException("updatedFailures", "must be >= 0");
    }
    if (baselineFailures < 0) {
      throw new InvalidFieldException("baselineFailures", "must be >= 0");
    }
    text("eValue", eValue);
    text("toleratedRatio", toleratedRatio);
    text("safetyEvidence", safetyEvidence);
    text("alpha", alpha);
    text("ratioUpperBound", ratioUpperBound);
  }

  private static void text(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidFieldException(field, "must not be blank");
    }
  }
}
