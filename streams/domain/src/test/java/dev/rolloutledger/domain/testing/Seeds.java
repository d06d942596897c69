package dev.rolloutledger.domain.testing;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.function.Executable;

/**
 * Property tests as plain JUnit 5 parameterized tests: one invocation per seed, each drawing its
 * inputs from {@code new SplittableRandom(seed)}.
 *
 * <pre>{@code
 * @ParameterizedTest(name = Seeds.NAME)
 * @MethodSource(Seeds.SEEDS)
 * void a_property(long seed) {
 *   Seeds.check(seed, random -> {
 *     long hosts = Seeds.longs(random, 1, 1_000_000);
 *     assertThat(...);
 *   });
 * }
 * }</pre>
 *
 * <p>The seeds are fixed, so every run (and CI) tries the same inputs: a property tries seeds 0, 1,
 * ... for its number of tries ({@value #TRIES} unless the test asks for another). A failure names
 * its seed in the test's display name and in its message. Two system properties, passed on by
 * Surefire from the command line:
 *
 * <ul>
 *   <li>{@code -Dproperty.tries=N}: N seeds per property instead of the test's number, to try more;
 *   <li>{@code -Dproperty.seed=S}: start at seed S. Alone it runs seed S only, to reproduce a
 *       failure ({@code ./mvnw -pl streams/domain test -Dtest=RolloutEnginePropertiesTest
 *       -Dproperty.seed=S}); with {@code property.tries} it runs seeds S to S + N - 1, other inputs
 *       than CI's.
 * </ul>
 *
 * <p>The generators mix in edge cases: a bound or its neighbour in about one draw of {@value
 * #EDGE_ODDS}, otherwise a uniform value. A test whose inputs are a few numbers also runs every
 * combination of their edge cases.
 */
public final class Seeds {

  /** The display name of one try: its seed. */
  public static final String NAME = "seed={0}";

  /** The {@code @MethodSource} of {@value #TRIES} seeds. */
  public static final String SEEDS = "dev.rolloutledger.domain.testing.Seeds#seeds";

  /** Tries per property unless a test asks for another number. */
  public static final int TRIES = 1_000;

  /** One draw in this many is an edge case. */
  public static final int EDGE_ODDS = 8;

  private Seeds() {}

  /** The seeds of a property with {@value #TRIES} tries. */
  public static LongStream seeds() {
    return seeds(TRIES);
  }

  /** The seeds of a property with {@code tries} tries, unless a system property says otherwise. */
  public static LongStream seeds(int tries) {
    String seed = System.getProperty("property.seed");
    long first = seed == null ? 0 : Long.parseLong(seed);
    int n = Integer.getInteger("property.tries", seed == null ? tries : 1);
    return LongStream.range(first, first + n);
  }

  /** One try of a property over the inputs it draws from {@code random}. */
  @FunctionalInterface
  public interface Property {
    void check(SplittableRandom random) throws Throwable;
  }

  /** Runs one try; a failure is rethrown with the seed that reproduces it. */
  public static void check(long seed, Property property) {
    check(
        "seed=" + seed + " (reproduce with -Dproperty.seed=" + seed + ")",
        () -> property.check(new SplittableRandom(seed)));
  }

  /** Runs a property over fixed inputs; a failure is rethrown naming them. */
  public static void check(String inputs, Executable property) {
    try {
      property.execute();
    } catch (Throwable e) {
      throw new AssertionError(inputs + ": " + e.getMessage(), e);
    }
  }

  /**
   * A long in [min, max] (max below {@code Long.MAX_VALUE}), an edge case (min, min + 1, max - 1,
   * max) in one draw of {@value #EDGE_ODDS}.
   */
  public static long longs(SplittableRandom random, long min, long max) {
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

  /** An int in [min, max], with edge cases as {@link #longs}. */
  public static int ints(SplittableRandom random, int min, int max) {
    return (int) longs(random, min, max);
  }

  /**
   * A decimal in [min, max] with {@code scale} digits after the point, with edge cases as {@link
   * #longs}: the bounds and the bounds moved inwards by one last digit.
   */
  public static double decimals(SplittableRandom random, double min, double max, int scale) {
    double unit = Math.pow(10, scale);
    return longs(random, Math.round(min * unit), Math.round(max * unit)) / unit;
  }

  /**
   * The size of a list in [min, max], mostly short: nine in ten at most {@code min + 32}, one in
   * fifty {@code max}, the rest above {@code min + 32}.
   */
  public static int sizes(SplittableRandom random, int min, int max) {
    int cutoff = Math.min(min + 32, max);
    int roll = random.nextInt(50);
    if (roll == 0) {
      return max;
    } else if (roll < 5 && cutoff < max) {
      return random.nextInt(cutoff + 1, max + 1);
    }
    return random.nextInt(min, cutoff + 1);
  }

  /** One of {@code values}, each as likely. */
  @SafeVarargs
  public static <T> T oneOf(SplittableRandom random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
