package dev.rolloutledger.replay;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Property tests as plain JUnit 5 parameterized tests over fixed seeds, one invocation per seed,
 * each drawing its inputs from {@code new SplittableRandom(seed)}: the domain module's {@code
 * dev.rolloutledger.domain.testing.Seeds}, cut to what these tests use (test classes do not cross
 * modules). A failure names its seed in the test's display name and in its message. {@code
 * -Dproperty.tries=N} runs N seeds per property instead of the test's number; {@code
 * -Dproperty.seed=S} runs seed S only, to reproduce a failure ({@code ./mvnw -pl streams/replay -am
 * test -Dtest=LineReaderTest -Dsurefire.failIfNoSpecifiedTests=false -Dproperty.seed=S}), or with
 * {@code property.tries} seeds S to S + N - 1.
 */
final class Seeds {

  /** The display name of one try: its seed. */
  static final String NAME = "seed={0}";

  /** One draw in this many is an edge case. */
  static final int EDGE_ODDS = 8;

  private Seeds() {}

  /** The seeds of a property with {@code tries} tries, unless a system property says otherwise. */
  static LongStream seeds(int tries) {
    String seed = System.getProperty("property.seed");
    long first = seed == null ? 0 : Long.parseLong(seed);
    int n = Integer.getInteger("property.tries", seed == null ? tries : 1);
    return LongStream.range(first, first + n);
  }

  /** One try of a property over the inputs it draws from {@code random}. */
  @FunctionalInterface
  interface Property {
    void check(SplittableRandom random) throws Throwable;
  }

  /** Runs one try; a failure is rethrown with the seed that reproduces it. */
  static void check(long seed, Property property) {
    try {
      property.check(new SplittableRandom(seed));
    } catch (Throwable e) {
      throw new AssertionError(
          "seed=" + seed + " (reproduce with -Dproperty.seed=" + seed + "): " + e.getMessage(), e);
    }
  }

  /**
   * A long in [min, max] (max below {@code Long.MAX_VALUE}), an edge case (min, min + 1, max - 1,
   * max) in one draw of {@value #EDGE_ODDS}.
   */
  static long longs(SplittableRandom random, long min, long max) {
    if (random.nextInt(EDGE_ODDS) == 0) {
      return switch (random.nextInt(4)) {
        case 0 -> min;
        case 1 -> Math.min(min + 1, max);
        case 2 -> Math.max(max - 1, min);
        default -> max;
      };
    }
    return random.nextLong(min, max + 1);
  }

  /**
   * The size of a list in [min, max], mostly short: nine in ten at most {@code min + 32}, one in
   * fifty {@code max}, the rest above {@code min + 32}.
   */
  static int sizes(SplittableRandom random, int min, int max) {
    int cutoff = Math.min(min + 32, max);
    int roll = random.nextInt(50);
    if (roll == 0) {
      return max;
    } else if (roll < 5 && cutoff < max) {
      return random.nextInt(cutoff + 1, max + 1);
    }
    return random.nextInt(min, cutoff + 1);
  }
}
