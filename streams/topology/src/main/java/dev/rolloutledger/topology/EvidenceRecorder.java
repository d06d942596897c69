package dev.rolloutledger.topology;

import dev.rolloutledger.avro.EvidenceSnapshot;
import dev.rolloutledger.avro.SignalEvidence;
import dev.rolloutledger.domain.EvidencePoint;
import dev.rolloutledger.domain.RolloutEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Records each rollout's evidence path ({@link EvidenceSnapshot}, topic {@code ledger.evidence} and
 * the {@link LedgerTopology#EVIDENCE_STORE}): a point with every input that wrote ledger entries
 * for the rollout (naming all of them: {@code decisions}), and between entries, when the values
 * changed, at most one point per {@link #MIN_INTERVAL_MS} of event time per rollout. A change held
 * back by that limit is recorded by the next input of the rollout after it, or by the next clock
 * tick of its tenant. The points are outside the hash-chained ledger: they decide nothing.
 *
 * <p>Not thread-safe, like the processor that owns it. Its memory of each rollout's last point is a
 * cache of the store (bounded), updated only when a decision's outputs are applied.
 */
final class EvidenceRecorder {

  /** Event time between two points of a rollout that no ledger entry asked for. */
  static final long MIN_INTERVAL_MS = 1_000;

  private static final int CACHE_SIZE = 4096;

  private final KeyValueStore<String, EvidenceSnapshot> store;

  private final Map<String, EvidenceSnapshot> last =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, EvidenceSnapshot> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /** Rollouts (tenant/rollout) whose latest change was held back by the interval. */
  private final Set<String> heldBack = new HashSet<>();

  EvidenceRecorder(KeyValueStore<String, EvidenceSnapshot> store) {
    this.store = store;
  }

  /** Rollouts of {@code tenant} with a change held back, to look at again on a clock tick. */
  List<String> heldBack(String tenant) {
    String prefix = StoreKeys.tenantPrefix(tenant);
    List<String> out = new ArrayList<>();
    for (String key : heldBack) {
      if (key.startsWith(prefix)) {
        out.add(key);
      }
    }
    return out; // the caller adds them to its sorted set
  }

  /**
   * What an input records: its points, and the rollouts whose change it held back. Nothing of it is
   * remembered before {@link #recorded}: an input whose outputs fail changes nothing here either.
   */
  record Batch(List<EvidenceSnapshot> points, List<String> heldBack) {
    static final Batch NONE = new Batch(List.of(), List.of());
  }

  /**
   * The points to record after an input at {@code at}: for each rollout of {@code rollouts}
   * (tenant/rollout keys), {@code decided} maps those the input wrote ledger entries for to their
   * types, in ledger order.
   */
  Batch points(
      RolloutEngine engine,
      Iterable<String> rollouts,
      Map<String, List<String>> decided,
      Instant at) {
    List<EvidenceSnapshot> out = new ArrayList<>();
    List<String> held = new ArrayList<>();
    for (String key : rollouts) {
      int slash = key.indexOf('/');
      String tenant = key.substring(0, slash);
      String rollout = key.substring(slash + 1);
      EvidencePoint point = engine.evidencePoint(tenant, rollout).orElse(null);
      if (point == null) {
        continue;
      }
      EvidenceSnapshot previous = last(tenant, rollout);
      List<String> decisions = decided.getOrDefault(key, List.of());
      long n = previous == null ? 0 : previous.getN() + 1;
      EvidenceSnapshot next = toAvro(point, n, at, decisions);
      if (decisions.isEmpty() && previous != null) {
        if (sameValues(previous, next)) {
          continue;
        }
        if (at.toEpochMilli() - previous.getAt().toEpochMilli() < MIN_INTERVAL_MS) {
          held.add(key);
          continue;
        }
      }
      out.add(next);
    }
    return new Batch(out, held);
  }

  /** Writes the points of an input whose outputs are being applied. */
  void recorded(Batch batch) {
    heldBack.addAll(batch.heldBack());
    List<EvidenceSnapshot> points = batch.points();
    if (points.isEmpty()) {
      return;
    }
    List<KeyValue<String, EvidenceSnapshot>> entries = new ArrayList<>(points.size());
    for (EvidenceSnapshot p : points) {
      entries.add(KeyValue.pair(StoreKeys.ledger(p.getTenant(), p.getRollout(), p.getN()), p));
    }
    store.putAll(entries);
    for (EvidenceSnapshot p : points) {
      String key = StoreKeys.of(p.getTenant(), p.getRollout());
      last.put(key, p);
      heldBack.remove(key);
    }
  }

  private EvidenceSnapshot last(String tenant, String rollout) {
    String key = StoreKeys.of(tenant, rollout);
    EvidenceSnapshot cached = last.get(key);
    if (cached != null) {
      return cached;
    }
    try (KeyValueIterator<String, EvidenceSnapshot> it =
        store.reverseRange(
            StoreKeys.ledger(tenant, rollout, 0),
            StoreKeys.ledger(tenant, rollout, Long.MAX_VALUE))) {
      EvidenceSnapshot found = it.hasNext() ? it.next().value : null;
      if (found != null) {
        last.put(key, found);
      }
      return found;
    }
  }

  private static boolean sameValues(EvidenceSnapshot a, EvidenceSnapshot b) {
    EvidenceSnapshot aligned =
        EvidenceSnapshot.newBuilder(b)
            .setN(a.getN())
            .setAt(a.getAt())
            .setDecision(null)
            .setDecisions(List.of())
            .build();
    EvidenceSnapshot plain =
        EvidenceSnapshot.newBuilder(a).setDecision(null).setDecisions(List.of()).build();
    return aligned.equals(plain);
  }

  /**
   * A point; {@code decisions}: the types of the ledger entries its input wrote for the rollout, in
   * ledger order ({@code decision} is the last, for readers of points before {@code decisions}).
   */
  static EvidenceSnapshot toAvro(EvidencePoint p, long n, Instant at, List<String> decisions) {
    List<SignalEvidence> signals = new ArrayList<>(p.signals().size());
    for (EvidencePoint.SignalPoint s : p.signals()) {
      signals.add(
          new SignalEvidence(
              s.signal().name(),
              s.eValue(),
              s.threshold(),
              s.updatedFailures(),
              s.baselineFailures()));
    }
    return EvidenceSnapshot.newBuilder()
        .setTenant(p.tenant())
        .setRollout(p.rollout())
        .setN(n)
        .setAt(at)
        .setWave(p.wave())
        .setWaveIndex(p.waveIndex())
        .setStatus(p.status().name())
        .setDecision(decisions.isEmpty() ? null : decisions.get(decisions.size() - 1))
        .setDecisions(new ArrayList<>(decisions))
        .setAssigned(p.assigned())
        .setApplied(p.applied())
        .setFailed(p.failed())
        .setWaveAssigned(p.waveAssigned())
        .setWaveApplied(p.waveApplied())
        .setWaveFailed(p.waveFailed())
        .setUpdatedAtRisk(p.updatedAtRisk())
        .setBaselineAtRisk(p.baselineAtRisk())
        .setBaselineHosts(p.baselineHosts())
        .setBaselineFailing(p.baselineFailing())
        .setSignals(signals)
        .build();
  }
}
