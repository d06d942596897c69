package dev.rolloutledger.replay;

import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.UpdateApplied;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded rollout read from its {@link RolloutLog} (the chain is checked as it is read): its
 * inputs in log order, and what each host did, from which a what-if derives each host's outcome.
 */
final class Recording {
  final RolloutLog.Header header;
  final List<LedgerInput> inputs = new ArrayList<>();

  /** Hosts in registration order, with their latest labels. */
  final Map<String, Map<String, String>> hosts = new LinkedHashMap<>();

  /** Telemetry of each host (applies, heartbeats, crash reports), in log order. */
  final Map<String, List<LedgerInput>> telemetry = new HashMap<>();

  final Map<String, ReleasePublished> releases = new HashMap<>();
  RolloutPlanned planned;
  PolicySet policy;
  Instant end;

  private Recording(RolloutLog.Header header) {
    this.header = header;
  }

  static Recording read(InputStream in) {
    try (RolloutLogReader log = new RolloutLogReader(in)) {
      Recording r = new Recording(log.header());
      RolloutLog.Kind kind;
      while ((kind = log.next()) != null) {
        if (kind == RolloutLog.Kind.INPUT) {
          r.add(log.input());
        }
      }
      if (r.planned == null) {
        throw new LogException(log.line(), "ends without the RolloutPlanned of " + r.rollout());
      }
      return r;
    }
  }

  String rollout() {
    return header.rollout();
  }

  Plan recordedPlan() {
    return planned.plan();
  }

  /**
   * Whether the recording tells a host's silences by reports rather than by gaps between its
   * heartbeats: a plan whose liveness a failure detector reported (ADR 0006), or a journal whose
   * heartbeats the host stage absorbed (version 2 on, ADR 0007), where the stage's {@code
   * HostSilent} ({@code detector: host-stage}) marks a silence as a detector's does.
   */
  boolean silencesReported() {
    return planned.plan().liveness() == Liveness.REPORTED || header.heartbeatsAbsorbed();
  }

  private void add(LedgerInput input) {
    inputs.add(input);
    end = input.at();
    if (input instanceof HostRegistered h) {
      hosts.put(h.host(), h.labels());
    } else if (input instanceof RolloutPlanned p && p.rollout().equals(rollout())) {
      planned = p;
    } else if (input instanceof ReleasePublished p) {
      releases.putIfAbsent(p.release(), p);
    } else if (input instanceof PolicySet p && planned == null) {
      policy = p;
    } else if (input instanceof UpdateApplied a) {
      telemetry.computeIfAbsent(a.host(), h -> new ArrayList<>()).add(a);
    } else if (input instanceof Heartbeat b) {
      telemetry.computeIfAbsent(b.host(), h -> new ArrayList<>()).add(b);
    } else if (input instanceof CrashReport c) {
      telemetry.computeIfAbsent(c.host(), h -> new ArrayList<>()).add(c);
    } else if (input instanceof HostSilent h) {
      telemetry.computeIfAbsent(h.host(), k -> new ArrayList<>()).add(h);
    } else if (input instanceof HostBack b) {
      telemetry.computeIfAbsent(b.host(), k -> new ArrayList<>()).add(b);
    }
  }

  /** The rollout's release, as first published. */
  ReleasePublished release() {
    ReleasePublished r = releases.get(planned.release());
    if (r == null) {
      throw new LogException(1, "has no ReleasePublished of " + planned.release());
    }
    return r;
  }
}
