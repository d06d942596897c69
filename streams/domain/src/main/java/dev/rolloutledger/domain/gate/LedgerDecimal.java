package dev.rolloutledger.domain.gate;

import dev.rolloutledger.domain.InvalidFieldException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The canonical text of a number recorded in the ledger as evidence: 6 significant digits, rounded
 * half-even, trailing zeros stripped, plain notation (never an exponent). {@code 1/3} is {@code
 * 0.333333}, {@code 2.0} is {@code 2}, {@code 1234567.0} is {@code 1234570}.
 *
 * <p>Why not {@link Double#toString}: its digits are only guaranteed to round-trip, and it switches
 * to exponent notation; a hash-chained ledger needs one spelling per value. The doubles themselves
 * are computed with {@link StrictMath}, so they are identical on every JDK; this text only fixes
 * how they are written.
 */
public final class LedgerDecimal {
  private static final MathContext SIX_DIGITS = new MathContext(6, RoundingMode.HALF_EVEN);

  private LedgerDecimal() {}

  /**
   * The canonical text of {@code value}; infinities are {@code Infinity} and {@code -Infinity} (an
   * e-value can overflow a double, an upper bound can be unbounded).
   *
   * @throws InvalidFieldException if {@code value} is NaN
   */
  public static String of(double value) {
    if (Double.isNaN(value)) {
      throw new InvalidFieldException("value", "must not be NaN");
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return "0"; // also -0.0
    }
    return new BigDecimal(value).round(SIX_DIGITS).stripTrailingZeros().toPlainString();
  }
}
