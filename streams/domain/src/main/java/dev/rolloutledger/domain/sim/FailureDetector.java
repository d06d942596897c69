package dev.rolloutledger.domain.sim;

import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.sim.Schedule.Event;
import dev.rolloutledger.domain.sim.Schedule.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * With {@code fleet.liveness: reported} (ADR 0006), the failure detector that speaks for the {@link
 * Hosts}: a host that goes down is reported by a {@link HostSilent} {@code fleet.detectorDelay}
 * after its last sign of life (not before it went down), naming that moment, and by a {@link
 * HostBack} at its first beat after it is up again. Only the heartbeats of hosts over limits (and
 * the first after) still reach the host stage, so no second visits every host.
 */
final class FailureDetector {
  private static final long NEVER = Hosts.NEVER;

  private final Hosts hosts;
  private final Schedule schedule;
  private final Stages stages;
  private final int interval;
  private final long delay;
  private final long[] upSince; // when the host last came up (0: up from the start)
  private final int[] downEpoch; // counts the host's outages: a report names the one it is for
  private final boolean[] silenceSent; // a HostSilent went out for the current outage
  private final boolean[] backPending; // a HostBack is due at the host's next beat
  private final List<TreeSet<Integer>> speaking = new ArrayList<>(); // by phase

  FailureDetector(Hosts hosts, Schedule schedule, Stages stages, int interval, long delay) {
    this.hosts = hosts;
    this.schedule = schedule;
    this.stages = stages;
    this.interval = interval;
    this.delay = delay;
    int n = hosts.size();
    this.upSince = new long[n];
    this.downEpoch = new int[n];
    this.silenceSent = new boolean[n];
    this.backPending = new boolean[n];
    for (int p = 0; p < interval; p++) {
      speaking.add(new TreeSet<>());
    }
  }

  /** The host's next beats reach the host stage (it is over limits). */
  void speaks(int i) {
    speaking.get(hosts.phase(i)).add(i);
  }

  /**
   * Of the hosts beating this second, only those the engine hears from: the heartbeat of a host
   * over limits (its metrics), or the detector's HostBack for a host it reported silent.
   */
  void beats(long s, Instant now) {
    TreeSet<Integer> due = speaking.get((int) (s % interval));
    if (due.isEmpty()) {
      return;
    }
    for (Iterator<Integer> it = due.iterator(); it.hasNext(); ) {
      int i = it.next();
      if (hosts.isDown(i)) {
        continue;
      }
      if (hosts.overLimits(i) || hosts.overDelivered(i)) {
        backPending[i] = false; // a heartbeat is a sign of life too
        hosts.heartbeat(i, s, now);
      } else if (backPending[i]) {
        hosts.delivered(i, s);
        backPending[i] = false;
        stages.telemetry(new HostBack(Simulator.TENANT, now, hosts.id(i)), s);
      }
      if (!hosts.overLimits(i)) {
        it.remove();
      }
    }
  }

  /** The host beats at phase + k * interval: its last beat before second {@code s}, or NEVER. */
  private long lastBeatBefore(int i, long s) {
    long t = s - 1 - Math.floorMod(s - 1 - hosts.phase(i), interval);
    return t >= Math.max(1, upSince[i]) ? t : NEVER;
  }

  /** The host goes down: the detector reports it once its delay after the last sign has passed. */
  void down(int i, long s) {
    long last = Math.max(hosts.lastDelivered(i), lastBeatBefore(i, s));
    hosts.delivered(i, last);
    downEpoch[i]++;
    silenceSent[i] = false;
    backPending[i] = false;
    if (last != NEVER) { // never seen by the engine: nothing to judge from either way
      schedule.push(Math.max(s, last + delay), Kind.REPORT_SILENT, i, downEpoch[i]);
    }
  }

  /** The host is up again: if it was reported silent, the detector says so at its next beat. */
  void up(int i, long s) {
    upSince[i] = s;
    if (silenceSent[i]) {
      silenceSent[i] = false;
      backPending[i] = true;
      speaks(i);
    }
  }

  /** A host never seen before (offline from the start) is up: the detector says so at its beat. */
  void firstSeen(int i) {
    backPending[i] = true;
    speaks(i);
  }

  /** The report a {@link #down} scheduled, unless the host is up again since. */
  void report(Event e, long s) {
    int i = e.host();
    if (hosts.isDown(i) && e.ref() == downEpoch[i]) {
      silenceSent[i] = true;
      stages.telemetry(
          new HostSilent(
              Simulator.TENANT,
              Simulator.T0.plusSeconds(s),
              hosts.id(i),
              Simulator.T0.plusSeconds(hosts.lastDelivered(i))),
          s);
    }
  }
}
