package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The index of one rollout's hosts, kept by {@link FleetIndex}: the hosts bound to it (by id and by
 * wave), the ones still waiting for their Apply or their first report, the cohort counts the gate
 * compares, and the time-ordered watches from which silence is judged.
 *
 * <p>Not thread-safe: owned by one {@link FleetIndex}.
 */
final class FleetMembers {
  /**
   * A host whose silence may be judged from {@code since} on. {@code slot} is the host's place in
   * the index while it was bound when the watch was made: reading it tells whether the watch is
   * stale without a lookup by host id.
   */
  record Watch(Instant since, String host, Slot slot) {}

  /**
   * The index's record of one host bound to a rollout, updated in place as the engine writes the
   * host (a heartbeat changes a slot, not the maps); emptied when the host leaves its rollout, so
   * watches made for an earlier binding read as stale.
   */
  static final class Slot {
    HostRecord record;

    Slot(HostRecord record) {
      this.record = record;
    }
  }

  /** By time, then host id; written out because it runs for every heartbeat. */
  private static final Comparator<Watch> WATCH_ORDER =
      (a, b) -> {
        long s = a.since.getEpochSecond() - b.since.getEpochSecond();
        if (s != 0) {
          return s < 0 ? -1 : 1;
        }
        int n = Integer.compare(a.since.getNano(), b.since.getNano());
        return n != 0 ? n : a.host.compareTo(b.host);
      };

  /** A host's Apply sent at {@code at}, reported on by nothing yet. */
  private record Sent(Instant at, String host) {}

  private static final Comparator<Sent> SENT_ORDER =
      Comparator.comparing(Sent::at).thenComparing(Sent::host);

  private static final TreeSet<String> EMPTY = new TreeSet<>();

  private final String rollout;
  private final Map<String, Slot> assigned; // the tenant's
  private final TreeSet<String> ids = new TreeSet<>();
  private final Map<String, TreeSet<String>> byWave = new HashMap<>();
  private final Map<String, TreeSet<String>> waitingByWave = new HashMap<>();
  // Watches are added when a host's silence clock restarts and dropped lazily: an entry whose
  // host was seen again or counted as failing since is stale, and skipped when it comes due.
  // Event time mostly moves forward, so most watches arrive in order and go to a FIFO; the few
  // that arrive out of order go to a heap. Both are drained by time.
  private final java.util.ArrayDeque<Watch> inOrder = new java.util.ArrayDeque<>();
  private final PriorityQueue<Watch> outOfOrder = new PriorityQueue<>(WATCH_ORDER);
  private long updatedAtRisk;
  private long baselineAtRisk;
  private long baselineHosts;
  private long baselineFailingUnapplied;
  // hosts whose Apply went out and who reported nothing yet, by when it was sent
  private final TreeSet<Sent> awaitingReport = new TreeSet<>(SENT_ORDER);

  FleetMembers(String rollout, Map<String, Slot> assigned) {
    this.rollout = rollout;
    this.assigned = assigned;
  }

  /** Applied and not failing by any signal: the updated cohort at risk. */
  long updatedAtRisk() {
    return updatedAtRisk;
  }

  /** Not applied and not failing: the baseline cohort at risk. */
  long baselineAtRisk() {
    return baselineAtRisk;
  }

  /** Not applied, failing or not. */
  long baselineHosts() {
    return baselineHosts;
  }

  /** Not applied and failing on their previous release. */
  long baselineFailing() {
    return baselineFailingUnapplied;
  }

  /** Host ids, sorted. */
  NavigableSet<String> ids() {
    return ids;
  }

  /** Host ids of a wave, sorted. */
  NavigableSet<String> wave(String wave) {
    return byWave.getOrDefault(wave, EMPTY);
  }

  /** Host ids of a wave whose Apply was not sent yet, sorted. */
  NavigableSet<String> waiting(String wave) {
    return waitingByWave.getOrDefault(wave, EMPTY);
  }

  /**
   * Hosts whose Apply went out before {@code bound} and who reported no outcome yet, sorted by host
   * id: their Apply has expired when {@code bound} is now minus its validity.
   */
  List<String> sentBefore(Instant bound) {
    List<String> hosts = new ArrayList<>();
    for (Sent sent : awaitingReport) {
      if (!sent.at().isBefore(bound)) {
        break;
      }
      hosts.add(sent.host());
    }
    hosts.sort(Comparator.naturalOrder());
    return hosts;
  }

  /**
   * Hosts that may be silent at {@code now} under {@code timeout}: nothing seen for longer than the
   * timeout, and not yet counted as failing. Sorted by host id. They stay watched until the engine
   * records its verdict (which makes their entries stale).
   */
  List<String> dueAt(Instant now, Duration timeout) {
    // silent when now > since + timeout, i.e. since < now - timeout
    Instant bound = now.minus(timeout);
    Map<String, Watch> due = new TreeMap<>();
    while (!inOrder.isEmpty() && inOrder.peekFirst().since().isBefore(bound)) {
      Watch w = inOrder.pollFirst();
      if (live(w)) {
        due.put(w.host(), w);
      }
    }
    while (!outOfOrder.isEmpty() && outOfOrder.peek().since().isBefore(bound)) {
      Watch w = outOfOrder.poll();
      if (live(w)) {
        due.put(w.host(), w);
      }
    }
    outOfOrder.addAll(due.values()); // still watched until the engine records its verdict
    return new ArrayList<>(due.keySet());
  }

  /** Baseline hosts (not applied, not yet failing) with nothing seen for longer than quiet. */
  long quietBaseline(Instant now, Duration quiet) {
    Instant bound = now.minus(quiet);
    java.util.Set<String> counted = new java.util.HashSet<>();
    for (Watch w : inOrder) {
      if (!w.since().isBefore(bound)) {
        break; // in order: the rest are more recent
      }
      countQuiet(w, counted);
    }
    for (Watch w : outOfOrder) {
      if (w.since().isBefore(bound)) {
        countQuiet(w, counted);
      }
    }
    return counted.size();
  }

  private void countQuiet(Watch w, java.util.Set<String> counted) {
    if (live(w) && !w.slot().record.applied()) {
      counted.add(w.host());
    }
  }

  private boolean live(Watch w) {
    HostRecord h = w.slot().record;
    return h != null
        && rollout.equals(h.rollout())
        && watched(h)
        && h.lastSeenAt().equals(w.since());
  }

  void add(HostRecord h, Slot slot) {
    String id = h.host();
    ids.add(id);
    byWave.computeIfAbsent(h.wave(), k -> new TreeSet<>()).add(id);
    if (h.awaitingApply()) {
      waitingByWave.computeIfAbsent(h.wave(), k -> new TreeSet<>()).add(id);
    }
    if (h.awaitingReport()) {
      awaitingReport.add(new Sent(h.delivery().sentAt(), id));
    }
    if (watched(h)) {
      watch(h, slot);
    }
    count(h, +1);
  }

  /**
   * Adds hosts none of which is in this index yet, sorted by host id without repeats (else it falls
   * back to one by one): the same index as {@link #add} of each, with the sorted sets built in
   * linear time instead of a tree insertion per host (a plan or a rebuild of a million hosts).
   */
  void addAll(List<HostRecord> hosts, List<Slot> slots) {
    if (!ids.isEmpty() || !strictlySorted(hosts)) {
      for (int i = 0; i < hosts.size(); i++) {
        add(hosts.get(i), slots.get(i));
      }
      return;
    }
    List<String> all = new ArrayList<>(hosts.size());
    Map<String, List<String>> waves = new HashMap<>();
    Map<String, List<String>> waiting = new HashMap<>();
    List<Watch> watches = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      HostRecord h = hosts.get(i);
      all.add(h.host());
      waves.computeIfAbsent(h.wave(), k -> new ArrayList<>()).add(h.host());
      if (h.awaitingApply()) {
        waiting.computeIfAbsent(h.wave(), k -> new ArrayList<>()).add(h.host());
      }
      if (h.awaitingReport()) {
        awaitingReport.add(new Sent(h.delivery().sentAt(), h.host()));
      }
      if (watched(h)) {
        watches.add(new Watch(h.lastSeenAt(), h.host(), slots.get(i)));
      }
      count(h, +1);
    }
    ids.addAll(new SortedIds(all));
    waves.forEach((wave, list) -> byWave.put(wave, sortedSet(list)));
    waiting.forEach((wave, list) -> waitingByWave.put(wave, sortedSet(list)));
    // in time order, so every watch goes to the FIFO as it would when heartbeats arrive in order
    watches.sort(WATCH_ORDER);
    inOrder.addAll(watches);
  }

  void remove(HostRecord h) {
    String id = h.host();
    ids.remove(id);
    removeFrom(byWave, h.wave(), id);
    if (h.awaitingApply()) {
      removeFrom(waitingByWave, h.wave(), id);
    }
    if (h.awaitingReport()) {
      awaitingReport.remove(new Sent(h.delivery().sentAt(), id));
    }
    count(h, -1); // its watch, if any, is stale now
  }

  /** The same host, still bound to this rollout, changed from {@code b} to {@code a}. */
  void update(HostRecord b, HostRecord a, Slot slot) {
    String id = a.host();
    if (!b.wave().equals(a.wave())) {
      removeFrom(byWave, b.wave(), id);
      byWave.computeIfAbsent(a.wave(), k -> new TreeSet<>()).add(id);
    }
    boolean sameWave = b.wave().equals(a.wave());
    if (b.awaitingApply() && (!a.awaitingApply() || !sameWave)) {
      removeFrom(waitingByWave, b.wave(), id);
    }
    if (a.awaitingApply() && (!b.awaitingApply() || !sameWave)) {
      waitingByWave.computeIfAbsent(a.wave(), k -> new TreeSet<>()).add(id);
    }
    if (b.awaitingReport() != a.awaitingReport()
        || a.awaitingReport() && !a.delivery().sentAt().equals(b.delivery().sentAt())) {
      if (b.awaitingReport()) {
        awaitingReport.remove(new Sent(b.delivery().sentAt(), id));
      }
      if (a.awaitingReport()) {
        awaitingReport.add(new Sent(a.delivery().sentAt(), id));
      }
    }
    if (watched(a) && (!watched(b) || !a.lastSeenAt().equals(b.lastSeenAt()))) {
      watch(a, slot);
    }
    count(b, -1);
    count(a, +1);
  }

  private void watch(HostRecord h, Slot slot) {
    Watch w = new Watch(h.lastSeenAt(), h.host(), slot);
    if (inOrder.isEmpty() || WATCH_ORDER.compare(inOrder.peekLast(), w) <= 0) {
      inOrder.addLast(w);
    } else {
      outOfOrder.add(w);
    }
    if (inOrder.size() + outOfOrder.size() > 4L * ids.size() + 64) {
      // hosts of a finished rollout still heartbeat and nothing drains: keep what is live
      TreeSet<Watch> live = liveWatches();
      inOrder.clear();
      outOfOrder.clear();
      inOrder.addAll(live);
    }
  }

  private TreeSet<Watch> liveWatches() {
    TreeSet<Watch> live = new TreeSet<>(WATCH_ORDER);
    for (Watch w : inOrder) {
      if (live(w)) {
        live.add(w);
      }
    }
    for (Watch w : outOfOrder) {
      if (live(w)) {
        live.add(w);
      }
    }
    return live;
  }

  private void count(HostRecord h, int sign) {
    if (h.applied() && !h.failing()) {
      updatedAtRisk += sign;
    }
    // a host recorded unreachable is in neither cohort: nothing is known of it
    if (!h.applied() && !h.unreachable()) {
      baselineHosts += sign;
      if (h.baselineFailing()) {
        baselineFailingUnapplied += sign;
      } else {
        baselineAtRisk += sign;
      }
    }
  }

  boolean isEmpty() {
    return ids.isEmpty();
  }

  private static void removeFrom(Map<String, TreeSet<String>> sets, String key, String id) {
    TreeSet<String> set = sets.get(key);
    if (set != null) {
      set.remove(id);
      if (set.isEmpty()) {
        sets.remove(key);
      }
    }
  }

  /** The state of the counters and sets (live watches only), for comparing two indexes. */
  List<Object> snapshot() {
    TreeSet<Watch> live = liveWatches();
    return List.of(
        List.copyOf(ids),
        new TreeMap<>(byWave),
        new TreeMap<>(waitingByWave),
        awaitingReport.stream().map(r -> r.at() + " " + r.host()).toList(),
        live.stream().map(w -> w.since() + " " + w.host()).toList(),
        List.of(updatedAtRisk, baselineAtRisk, baselineHosts, baselineFailingUnapplied));
  }

  /**
   * Silence can be judged for it: its silence clock runs (seen, and judged from heartbeats or
   * reported silent), and it is not counted as failing in its cohort yet.
   */
  private static boolean watched(HostRecord h) {
    if (!h.silenceClockRuns()) {
      return false;
    }
    return h.applied() ? !h.failing() : !h.baselineFailing();
  }

  private static boolean strictlySorted(List<HostRecord> hosts) {
    for (int i = 1; i < hosts.size(); i++) {
      if (hosts.get(i - 1).host().compareTo(hosts.get(i).host()) >= 0) {
        return false;
      }
    }
    return true;
  }

  /** A TreeSet of ids already sorted without repeats, built in linear time. */
  private static TreeSet<String> sortedSet(List<String> sorted) {
    TreeSet<String> set = new TreeSet<>();
    set.addAll(new SortedIds(sorted));
    return set;
  }

  /**
   * A sorted list seen as a {@link java.util.SortedSet}: {@code TreeSet.addAll} of a sorted set
   * into an empty tree with the same (natural) order builds the tree in linear time; it reads only
   * {@code size}, {@code iterator} and {@code comparator}. The caller guarantees the order.
   */
  private static final class SortedIds extends java.util.AbstractSet<String>
      implements java.util.SortedSet<String> {
    private final List<String> sorted;

    SortedIds(List<String> sorted) {
      this.sorted = sorted;
    }

    @Override
    public java.util.Iterator<String> iterator() {
      return sorted.iterator();
    }

    @Override
    public int size() {
      return sorted.size();
    }

    @Override
    public Comparator<? super String> comparator() {
      return null; // natural order, as the TreeSets of the index
    }

    @Override
    public java.util.SortedSet<String> subSet(String from, String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedSet<String> headSet(String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedSet<String> tailSet(String from) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String first() {
      return sorted.get(0);
    }

    @Override
    public String last() {
      return sorted.get(sorted.size() - 1);
    }
  }
}
