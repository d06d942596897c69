package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.AlphaSplit;
import dev.rolloutledger.domain.gate.EvidenceSummary;
import dev.rolloutledger.domain.gate.Signal;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evidence maps of ledger entries. Evidence is hashed into the ledger chain and replayed byte
 * for byte, so its keys and the rendering of its numbers are contracts: change nothing here without
 * a new ledger format.
 */
final class EvidenceFormat {

  private EvidenceFormat() {}

  /**
   * A halt by the failure fraction cap: the wave's counts and the cap of its plan. The keys keep
   * the cap's first name ({@code crashFraction}, {@code maxCrashFraction}), though the fraction
   * counts every failing host; the count per signal is under its {@link Signal#countKey()}.
   */
  static Map<String, String> cap(WavePlan plan, WaveCounts counts) {
    Map<String, String> evidence = new TreeMap<>();
    evidence.put("assigned", Integer.toString(counts.assigned()));
    evidence.put("applied", Integer.toString(counts.applied()));
    for (Signal signal : Signal.ofHosts()) {
      evidence.put(signal.countKey(), Integer.toString(counts.failed(signal)));
    }
    evidence.put("crashFraction", fraction(counts.failed(), Math.max(counts.applied(), 1)));
    evidence.put("maxCrashFraction", decimal(plan.maxCrashFraction()));
    evidence.put("minCrashes", Integer.toString(plan.minCrashes()));
    return evidence;
  }

  /**
   * What the rollout has shown so far, recorded with a promotion but never waited for (a canary
   * cannot prove "not 2x worse"; docs/statistics.md): the wave's counts and, per signal, the
   * evidence against a regression, the likelihood ratio of "no regression" against the tolerated
   * ratio, and an anytime-valid upper bound on the failure-rate ratio.
   */
  static Map<String, String> safety(RolloutState rollout, WavePlan plan, WaveCounts counts) {
    Map<String, String> out = new TreeMap<>();
    out.put("assigned", Integer.toString(counts.assigned()));
    out.put("applied", Integer.toString(counts.applied()));
    out.put("failed", Integer.toString(counts.failed()));
    if (counts.unreachable() > 0) {
      // promoted without them: they get the release when they come back (journals v5 on)
      out.put("unreachable", Integer.toString(counts.unreachable()));
    }
    out.put("bake", plan.bake().toString());
    AlphaSplit split = AlphaSplit.equal(rollout.plan().alpha());
    for (Signal signal : Signal.ofHosts()) {
      EvidenceSummary summary =
          rollout.evidence(signal).summary(split.alpha(signal), rollout.plan().toleratedRatio());
      String key = signal.name().toLowerCase(java.util.Locale.ROOT);
      out.put(key + ".eValue", summary.eValue());
      out.put(key + ".safetyEvidence", summary.safetyEvidence());
      out.put(key + ".ratioUpperBound", summary.ratioUpperBound());
    }
    return out;
  }

  /** A halt by regression evidence: the signal, the host that tipped it, the evidence. */
  static Map<String, String> regression(
      Signal signal, String hostId, EvidenceSummary summary, long updated, long baseline) {
    Map<String, String> detail = new TreeMap<>();
    detail.put("signal", signal.name());
    detail.put("host", hostId);
    detail.put("updatedFailures", Long.toString(summary.updatedFailures()));
    detail.put("baselineFailures", Long.toString(summary.baselineFailures()));
    detail.put("eValue", summary.eValue());
    detail.put("alpha", summary.alpha());
    detail.put("ratioUpperBound", summary.ratioUpperBound());
    detail.put("updatedAtRisk", Long.toString(updated));
    detail.put("baselineAtRisk", Long.toString(baseline));
    return detail;
  }

  /** A metric over its limit: "value>limit". */
  static String overLimit(double value, double limit) {
    return decimal(value) + ">" + decimal(limit);
  }

  // Evidence is hashed, so numbers are rendered exactly and JDK-independently (Double.toString
  // changed in JDK 19): plain decimal, at most 6 places, trailing zeros dropped.
  static String decimal(double value) {
    return plain(new BigDecimal(value).setScale(6, RoundingMode.HALF_EVEN));
  }

  static String fraction(int numerator, int denominator) {
    return plain(
        BigDecimal.valueOf(numerator)
            .divide(BigDecimal.valueOf(denominator), 6, RoundingMode.HALF_EVEN));
  }

  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }
}
