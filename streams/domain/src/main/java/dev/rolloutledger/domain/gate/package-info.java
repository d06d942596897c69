/**
 * The gate's statistics: whether a wave's updated hosts fail more often than its baseline, decided
 * so that the engine may look after every event without inflating false halts. Pure functions of
 * the failures observed; no clock, no randomness, {@link java.lang.StrictMath} throughout, so a
 * replay on any JDK reproduces every number bit for bit.
 *
 * <h2>HALT: evidence of a regression ({@link dev.rolloutledger.domain.gate.CohortEvidence})</h2>
 *
 * One evidence per {@link dev.rolloutledger.domain.gate.Signal} per rollout, carried across waves.
 * Failures are Poisson counts over exposure; {@code r} is the ratio of the updated cohort's failure
 * rate to the baseline's. Given a failure, it is from the updated cohort with probability
 *
 * <pre>
 *   theta_r = r theta0 / (r theta0 + 1 - theta0),
 * </pre>
 *
 * {@code theta0} being the updated cohort's share of the hosts at risk at that moment. The evidence
 * is the likelihood ratio of {@code r} against {@code r = 1}, averaged over {@code r in {2, 4, ...,
 * 512}} with equal weights:
 *
 * <pre>
 *   E = 1/9 sum_r prod_failures (updated ? theta_r/theta0 : (1 - theta_r)/(1 - theta0))
 *     = 1/9 sum_r exp( sum_failures [updated] ln r - ln(1 + theta0 (r - 1)) )
 * </pre>
 *
 * HALT when {@code E >= 1/alpha_signal}. Under {@code r = 1} every factor has conditional
 * expectation 1, so {@code E} is a nonnegative martingale from 1 and Ville's inequality gives
 * {@code P(ever E >= 1/alpha) <= alpha}, whenever and however often it is read. A shock that raises
 * both cohorts' rates alike leaves {@code theta0} the right null and the guarantee intact. Ratios
 * below about 1.44 ({@code 1/ln 2}, where the baseline holds most of the exposure) are not what the
 * mixture looks for: even its r = 2 component drifts down under them, so they are caught late or
 * never (the plan's {@code toleratedRatio} is 2 by default).
 *
 * <p>Alpha is split among the signals ({@link dev.rolloutledger.domain.gate.AlphaSplit}, equal by
 * default: {@code 0.01 -> 0.0025} each, halting at 400); by the union bound the chance that any
 * signal falsely halts a rollout is at most the total.
 *
 * <h2>What the ledger records</h2>
 *
 * {@link dev.rolloutledger.domain.gate.EvidenceSummary}: the e-value; the evidence of safety, the
 * likelihood ratio of {@code r = 1} against {@code r = toleratedRatio} (reaching {@code 1/beta} it
 * proves the release is not that much worse; never a requirement to promote: at {@code p0 = 0.001}
 * "not 2x worse" needs ~14,700 hosts); and an anytime-valid upper bound on {@code r}. Numbers are
 * written by {@link dev.rolloutledger.domain.gate.LedgerDecimal}: 6 significant digits, half-even,
 * plain.
 *
 * <h2>PROMOTE with a maximum failure rate ({@link
 * dev.rolloutledger.domain.gate.FailureRateUpperBound})</h2>
 *
 * An upper confidence sequence on the updated hosts' failure probability: the beta-binomial
 * (Krichevsky-Trofimov) mixture, {@code {q : B(k+1/2, n-k+1/2)/B(1/2,1/2) / (q^k (1-q)^(n-k)) <
 * 1/alpha}}, valid at every n at once by the same argument. At {@code n = 1,000} hosts without a
 * failure and {@code alpha = 0.01} it is 0.0086.
 *
 * <h2>Where statistics cannot see ({@link dev.rolloutledger.domain.gate.HardCap})</h2>
 *
 * With no baseline exposure every failure is expected in the updated cohort and {@code E} stays at
 * 1. The hard cap, the failure fraction cap of each wave's plan, halts when at least {@code
 * minCrashes} of the wave's applied hosts fail (by any signal) and their share exceeds {@code
 * maxCrashFraction}, unless the baseline fails at half that rate or more (a shared shock).
 *
 * <h2>Where the numbers come from</h2>
 *
 * {@code docs/statistics.md} (alpha = beta = 0.01, {@code p0 = 0.001}): SPRT, the optimum, needs
 * 386 hosts on average to halt a 10x release, 12,266 for 2x, 1 for a total failure. Measured on
 * this code (seeded simulations as in {@code CohortEvidenceSimulationTest}: one updated host
 * watched at a time against 10,000 baseline hosts), at alpha = 0.01: 473 hosts at 10x (1.23x SPRT;
 * 5,000 runs), 17,050 at 2x (1.39x; 1,000 runs), at most 2 at total failure; at a signal's share
 * 0.0025: 581 and 20,790. False halts of a good release in waves over 100,000 hosts: 8 of 2,000
 * rollouts at alpha = 0.01 (0.4%, 95% CI 0.17% to 0.79%), 5 of 2,000 with a 20x shock hitting both
 * cohorts. The evidence of safety at 2x reaches 99 after 15,250 good hosts (SPRT: 14,709).
 *
 * <p>References: Wald, Sequential Analysis (1947); Ville, Etude critique de la notion de collectif
 * (1939); Johari, Pekelis, Walsh, Always Valid Inference (mixture SPRT); Howard, Ramdas, McAuliffe,
 * Sekhon, Time-uniform, nonparametric, nonasymptotic confidence sequences (Ann. Stat. 2021);
 * Lindon, Malek, Anytime-valid inference for multinomial count data (NeurIPS 2022); Lindon, Sanden,
 * Shirikian, Rapid regression detection in software deployments through sequential testing (KDD
 * 2022).
 */
package dev.rolloutledger.domain.gate;
