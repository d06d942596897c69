package dev.rolloutledger.topology;

import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.PlanSpec;
import dev.rolloutledger.avro.WaveSpec;
import dev.rolloutledger.avro.state.HostState;
import dev.rolloutledger.avro.state.RolloutSnapshot;
import dev.rolloutledger.domain.ApprovalGranted;
import dev.rolloutledger.domain.CrashReport;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.HostBack;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.HostLifecycleChanged;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.domain.HostRegistered;
import dev.rolloutledger.domain.HostSilent;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.domain.Liveness;
import dev.rolloutledger.domain.ManualHalt;
import dev.rolloutledger.domain.OwnerPolicy;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PolicySet;
import dev.rolloutledger.domain.ReleaseInfo;
import dev.rolloutledger.domain.ReleasePublished;
import dev.rolloutledger.domain.RollbackRequested;
import dev.rolloutledger.domain.RolloutPaused;
import dev.rolloutledger.domain.RolloutPlanned;
import dev.rolloutledger.domain.RolloutResumed;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.UpdateApplied;
import dev.rolloutledger.domain.WavePlan;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one place where Avro meets the domain: inputs, ledger entries, host commands and state-store
 * values, both ways. Mapping an input validates it: an invalid record throws {@link
 * InvalidFieldException} naming the field, and the topology dead-letters it.
 */
public final class AvroMapper {
  private AvroMapper() {}

  // ---- inputs ----

  /** Maps any input record of the input topics to the domain; throws for an unknown type. */
  public static LedgerInput toDomain(SpecificRecord record) {
    if (record instanceof dev.rolloutledger.avro.HostRegistered r) {
      return new HostRegistered(r.getTenant(), r.getAt(), r.getHost(), r.getLabels());
    } else if (record instanceof dev.rolloutledger.avro.ReleasePublished r) {
      return new ReleasePublished(
          r.getTenant(),
          r.getAt(),
          r.getRelease(),
          r.getArtifact(),
          r.getVersion(),
          r.getSha256(),
          r.getPublisher(),
          Severity.valueOf(r.getSeverity().name()),
          r.getPublisherKey(),
          r.getSignature());
    } else if (record instanceof dev.rolloutledger.avro.RolloutPlanned r) {
      return new RolloutPlanned(
          r.getTenant(), r.getAt(), r.getRollout(), r.getRelease(), plan(r.getPlan()));
    } else if (record instanceof dev.rolloutledger.avro.UpdateApplied r) {
      return new UpdateApplied(
          r.getTenant(), r.getAt(), r.getHost(), r.getRelease(), r.getOk(), r.getError());
    } else if (record instanceof dev.rolloutledger.avro.Heartbeat r) {
      // finite metrics only, whatever reads it (a NaN breaks the exported log); the doors check the
      // rest (InputChecks.check), so journals written before those checks still replay
      Heartbeat heartbeat =
          new Heartbeat(r.getTenant(), r.getAt(), r.getHost(), r.getRelease(), r.getMetrics());
      InputChecks.finite("metrics", heartbeat.metrics());
      return heartbeat;
    } else if (record instanceof dev.rolloutledger.avro.HostSilent r) {
      return new HostSilent(
          r.getTenant(),
          r.getAt(),
          r.getHost(),
          r.getLastSeenAt(),
          dev.rolloutledger.domain.Detector.parse("detector", r.getDetector()));
    } else if (record instanceof dev.rolloutledger.avro.HostBack r) {
      return new HostBack(r.getTenant(), r.getAt(), r.getHost());
    } else if (record instanceof dev.rolloutledger.avro.FanOutContinued r) {
      return new dev.rolloutledger.domain.FanOutContinued(
          r.getTenant(), r.getAt(), r.getRollout(), r.getEntrySeq(), r.getRollback(), r.getAfter());
    } else if (record instanceof dev.rolloutledger.avro.AssignmentContinued r) {
      return new dev.rolloutledger.domain.AssignmentContinued(
          r.getTenant(), r.getAt(), r.getRollout(), r.getWave(), r.getAfter());
    } else if (record instanceof dev.rolloutledger.avro.CrashReport r) {
      return new CrashReport(
          r.getTenant(), r.getAt(), r.getHost(), r.getRelease(), r.getSignature(), r.getKind());
    } else if (record instanceof dev.rolloutledger.avro.ApprovalGranted r) {
      return new ApprovalGranted(r.getTenant(), r.getAt(), r.getRollout(), r.getWave(), r.getBy());
    } else if (record instanceof dev.rolloutledger.avro.RolloutPaused r) {
      return new RolloutPaused(r.getTenant(), r.getAt(), r.getRollout(), r.getBy(), r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.RolloutResumed r) {
      return new RolloutResumed(r.getTenant(), r.getAt(), r.getRollout(), r.getBy(), r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.ManualHalt r) {
      return new ManualHalt(r.getTenant(), r.getAt(), r.getRollout(), r.getBy(), r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.RollbackRequested r) {
      return new RollbackRequested(
          r.getTenant(), r.getAt(), r.getRollout(), r.getBy(), r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.PolicySet r) {
      OwnerPolicy policy;
      try {
        policy = policy(r.getTenant(), r.getPolicy());
      } catch (InvalidFieldException e) {
        throw e.within("policy");
      }
      return new PolicySet(r.getTenant(), r.getAt(), policy);
    } else if (record instanceof dev.rolloutledger.avro.HostLifecycleChanged r) {
      return new HostLifecycleChanged(
          r.getTenant(),
          r.getAt(),
          r.getHost(),
          HostLifecycles.parse("lifecycle", r.getLifecycle()),
          r.getBy());
    }
    throw new InvalidFieldException(
        "type",
        "is not an input event: " + (record == null ? "null" : record.getSchema().getFullName()));
  }

  /** Maps a domain input to the Avro record its topic carries. */
  public static SpecificRecord toAvro(LedgerInput input) {
    if (input instanceof HostRegistered e) {
      return dev.rolloutledger.avro.HostRegistered.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setLabels(e.labels())
          .build();
    } else if (input instanceof ReleasePublished e) {
      return dev.rolloutledger.avro.ReleasePublished.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRelease(e.release())
          .setArtifact(e.artifact())
          .setVersion(e.version())
          .setSha256(e.sha256())
          .setPublisher(e.publisher())
          .setSeverity(dev.rolloutledger.avro.Severity.valueOf(e.severity().name()))
          .setPublisherKey(e.publisherKey())
          .setSignature(e.signature())
          .build();
    } else if (input instanceof RolloutPlanned e) {
      return dev.rolloutledger.avro.RolloutPlanned.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setRelease(e.release())
          .setPlan(planSpec(e.plan()))
          .build();
    } else if (input instanceof UpdateApplied e) {
      return dev.rolloutledger.avro.UpdateApplied.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setRelease(e.release())
          .setOk(e.ok())
          .setError(e.error())
          .build();
    } else if (input instanceof Heartbeat e) {
      return dev.rolloutledger.avro.Heartbeat.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setRelease(e.release())
          .setMetrics(e.metrics())
          .build();
    } else if (input instanceof HostSilent e) {
      return dev.rolloutledger.avro.HostSilent.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setLastSeenAt(e.lastSeenAt())
          .setDetector(e.detector().wireName())
          .build();
    } else if (input instanceof dev.rolloutledger.domain.FanOutContinued e) {
      return dev.rolloutledger.avro.FanOutContinued.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setEntrySeq(e.entrySeq())
          .setRollback(e.rollback())
          .setAfter(e.after())
          .build();
    } else if (input instanceof dev.rolloutledger.domain.AssignmentContinued e) {
      return dev.rolloutledger.avro.AssignmentContinued.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setWave(e.wave())
          .setAfter(e.after())
          .build();
    } else if (input instanceof HostBack e) {
      return dev.rolloutledger.avro.HostBack.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .build();
    } else if (input instanceof CrashReport e) {
      return dev.rolloutledger.avro.CrashReport.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setRelease(e.release())
          .setSignature(e.signature())
          .setKind(e.kind())
          .build();
    } else if (input instanceof ApprovalGranted e) {
      return dev.rolloutledger.avro.ApprovalGranted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setWave(e.wave())
          .setBy(e.by())
          .build();
    } else if (input instanceof RolloutPaused e) {
      return dev.rolloutledger.avro.RolloutPaused.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (input instanceof RolloutResumed e) {
      return dev.rolloutledger.avro.RolloutResumed.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (input instanceof ManualHalt e) {
      return dev.rolloutledger.avro.ManualHalt.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (input instanceof RollbackRequested e) {
      return dev.rolloutledger.avro.RollbackRequested.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (input instanceof PolicySet e) {
      return dev.rolloutledger.avro.PolicySet.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setPolicy(policySpec(e.policy()))
          .build();
    } else if (input instanceof HostLifecycleChanged e) {
      return dev.rolloutledger.avro.HostLifecycleChanged.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setHost(e.host())
          .setLifecycle(HostLifecycles.wireName(e.lifecycle()))
          .setBy(e.by())
          .build();
    }
    throw new IllegalArgumentException("unmapped input " + input.getClass());
  }

  public static Plan plan(PlanSpec spec) {
    List<WavePlan> waves = new ArrayList<>();
    for (int i = 0; i < spec.getWaves().size(); i++) {
      WaveSpec w = spec.getWaves().get(i);
      try {
        waves.add(
            new WavePlan(
                w.getName(),
                w.getSelector(),
                w.getHosts(),
                w.getPercent(),
                w.getMaxCrashFraction(),
                w.getMinCrashes(),
                duration("bake", w.getBake()),
                w.getApproval(),
                w.getMaxFailureRate(),
                w.getBatches(),
                w.getBatchSize(),
                duration("batchBake", w.getBatchBake()),
                spread(w.getSpread())));
      } catch (InvalidFieldException e) {
        throw e.within("plan.waves[" + i + "]");
      }
    }
    try {
      return new Plan(
          waves,
          duration("heartbeatTimeout", spec.getHeartbeatTimeout()),
          spec.getAlpha(),
          spec.getBeta(),
          spec.getToleratedRatio(),
          spec.getMaxDispatchPerMinute(),
          spec.getLimits(),
          spec.getEmergencyCompression(),
          Liveness.parse("liveness", spec.getLiveness()),
          spec.getMaxUnreachableFraction());
    } catch (InvalidFieldException e) {
      throw e.within("plan");
    }
  }

  private static dev.rolloutledger.domain.Spread spread(dev.rolloutledger.avro.SpreadSpec spec) {
    if (spec == null) {
      return null;
    }
    try {
      return new dev.rolloutledger.domain.Spread(spec.getBy(), spec.getHosts());
    } catch (InvalidFieldException e) {
      throw e.within("spread");
    }
  }

  /** An ISO-8601 duration such as {@code PT10M}; anything else names the field. */
  public static Duration duration(String field, String iso) {
    if (iso == null) {
      throw new InvalidFieldException(field, "must not be null");
    }
    try {
      return Duration.parse(iso);
    } catch (DateTimeParseException e) {
      throw new InvalidFieldException(
          field, "must be an ISO-8601 duration such as PT10M, was '" + iso + "'");
    }
  }

  /** The owner's policy of a {@code PolicySet} or of the policy store ({@link AvroPolicy}). */
  public static OwnerPolicy policy(String tenant, OwnerPolicySpec spec) {
    return AvroPolicy.toDomain(tenant, spec);
  }

  public static OwnerPolicySpec policySpec(OwnerPolicy p) {
    return AvroPolicy.toAvro(p);
  }

  public static PlanSpec planSpec(Plan plan) {
    List<WaveSpec> waves = new ArrayList<>();
    for (WavePlan w : plan.waves()) {
      waves.add(
          WaveSpec.newBuilder()
              .setName(w.name())
              .setSelector(new TreeMap<>(w.selector()))
              .setHosts(w.hosts())
              .setPercent(w.percent())
              .setMaxCrashFraction(w.maxCrashFraction())
              .setMinCrashes(w.minCrashes())
              .setBake(w.bake().toString())
              .setApproval(w.approval())
              .setMaxFailureRate(w.maxFailureRate())
              .setBatches(w.batches())
              .setBatchSize(w.batchSize())
              .setBatchBake(w.batchBake().toString())
              .setSpread(
                  w.spread() == null
                      ? null
                      : new dev.rolloutledger.avro.SpreadSpec(w.spread().by(), w.spread().hosts()))
              .build());
    }
    return PlanSpec.newBuilder()
        .setWaves(waves)
        .setHeartbeatTimeout(plan.heartbeatTimeout().toString())
        .setAlpha(plan.alpha())
        .setBeta(plan.beta())
        .setToleratedRatio(plan.toleratedRatio())
        .setMaxDispatchPerMinute(plan.maxDispatchPerMinute())
        .setLimits(new TreeMap<>(plan.limits()))
        .setEmergencyCompression(plan.emergencyCompression())
        .setLiveness(plan.liveness().wireName())
        .setMaxUnreachableFraction(plan.maxUnreachableFraction())
        .build();
  }

  // ---- ledger entries and commands (AvroEntries) ----

  public static SpecificRecord toAvro(LedgerEntry entry) {
    return AvroEntries.toAvro(entry);
  }

  public static LedgerEntry entryToDomain(SpecificRecord record) {
    return AvroEntries.entryToDomain(record);
  }

  public static SpecificRecord toAvro(HostCommand command) {
    return AvroEntries.toAvro(command);
  }

  // ---- state (AvroState) ----

  public static HostState toAvro(HostRecord h) {
    return AvroState.toAvro(h);
  }

  public static HostRecord toDomain(HostState h) {
    return AvroState.toDomain(h);
  }

  public static RolloutSnapshot toAvro(RolloutState s) {
    return AvroState.toAvro(s);
  }

  public static RolloutState toDomain(RolloutSnapshot s) {
    return AvroState.toDomain(s);
  }

  public static dev.rolloutledger.avro.ReleasePublished toAvro(ReleaseInfo r) {
    return dev.rolloutledger.avro.ReleasePublished.newBuilder()
        .setTenant(r.tenant())
        .setAt(r.publishedAt())
        .setRelease(r.release())
        .setArtifact(r.artifact())
        .setVersion(r.version())
        .setSha256(r.sha256())
        .setPublisher(r.publisher())
        .setSeverity(dev.rolloutledger.avro.Severity.valueOf(r.severity().name()))
        .setPublisherKey(r.publisherKey())
        .setSignature(r.signature())
        .build();
  }

  /** A stored release: its signature was verified when it was published, not again here. */
  public static ReleaseInfo toDomain(dev.rolloutledger.avro.ReleasePublished r) {
    return new ReleaseInfo(
        r.getTenant(),
        r.getRelease(),
        r.getArtifact(),
        r.getVersion(),
        r.getSha256(),
        r.getPublisher(),
        Severity.valueOf(r.getSeverity().name()),
        r.getAt(),
        r.getPublisherKey(),
        r.getSignature());
  }

  /** Tenant of any input record, read before full validation (for keying). */
  public static String tenantOf(SpecificRecord record) {
    int field = record.getSchema().getField("tenant").pos();
    Object tenant = record.get(field);
    return tenant == null ? null : tenant.toString();
  }
}
