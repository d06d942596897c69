package dev.rolloutledger.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rolloutledger.avro.RolloutCompleted;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.WavePromoted;
import dev.rolloutledger.avro.WaveStarted;
import dev.rolloutledger.domain.Plan;
import dev.rolloutledger.domain.PlanTemplates;
import dev.rolloutledger.domain.PublisherSignatures;
import dev.rolloutledger.domain.RolloutState;
import dev.rolloutledger.domain.Severity;
import dev.rolloutledger.domain.WaveCounts;
import dev.rolloutledger.domain.WavePlan;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** JSON response bodies. */
public final class Views {
  private Views() {}

  @Serdeable
  public record Accepted(int accepted, List<String> ids) {}

  @Serdeable
  public record WaveView(
      String name,
      Map<String, String> selector,
      int assigned,
      int applied,
      int crashed,
      int silent,
      int hot,
      int dispatched,
      int unreachable,
      double maxCrashFraction,
      String bake,
      boolean approval,
      boolean approved,
      @Nullable Double maxFailureRate) {}

  /** A wave as a plan (or a template) states it, before any host is taken. */
  @Serdeable
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlanWaveView(
      String name,
      Map<String, String> selector,
      @Nullable Integer hosts,
      @Nullable Integer percent,
      @Nullable SpreadView spread,
      String bake,
      @Nullable Integer batches,
      @Nullable Integer batchSize,
      @Nullable String batchBake,
      double maxCrashFraction,
      int minCrashes,
      boolean approval,
      @Nullable Double maxFailureRate) {

    static PlanWaveView of(WavePlan w) {
      return new PlanWaveView(
          w.name(),
          w.selector(),
          w.hosts(),
          w.percent(),
          w.spread() == null ? null : new SpreadView(w.spread().by(), w.spread().hosts()),
          w.bake().toString(),
          w.batches(),
          w.batchSize(),
          w.batched() ? w.batchBake().toString() : null,
          w.maxCrashFraction(),
          w.minCrashes(),
          w.approval(),
          w.maxFailureRate());
    }
  }

  @Serdeable
  public record SpreadView(String by, int hosts) {}

  /**
   * A named plan ({@link PlanTemplates}): its waves, its EMERGENCY compression, and its total bake
   * per severity ({@link Plan#totalBake()}: every wave populated, batches full).
   */
  @Serdeable
  public record TemplateView(
      String name,
      String description,
      List<PlanWaveView> waves,
      int emergencyCompression,
      Map<String, String> totalBake) {

    static TemplateView of(PlanTemplates.Template t) {
      Map<String, String> total = new java.util.LinkedHashMap<>();
      for (Severity severity : Severity.values()) {
        total.put(severity.name(), t.plan().forSeverity(severity).totalBake().toString());
      }
      return new TemplateView(
          t.name(),
          t.description(),
          t.plan().waves().stream().map(PlanWaveView::of).toList(),
          t.plan().emergencyCompression(),
          total);
    }
  }

  @Serdeable
  public record RolloutView(
      String tenant,
      String rollout,
      String release,
      String status,
      String currentWave,
      List<WaveView> waves,
      long ledgerSeq,
      String ledgerHead,
      Instant plannedAt,
      Instant waveStartedAt) {

    static RolloutView of(RolloutState s) {
      List<WaveView> waves = new ArrayList<>();
      for (int i = 0; i < s.waves().size(); i++) {
        WaveCounts c = s.waves().get(i);
        WavePlan p = s.plan().waves().get(i);
        waves.add(
            new WaveView(
                c.wave(),
                p.selector(),
                c.assigned(),
                c.applied(),
                c.crashed(),
                c.silent(),
                c.hot(),
                c.dispatched(),
                c.unreachable(),
                p.maxCrashFraction(),
                p.bake().toString(),
                p.approval(),
                s.approved(p.name()),
                p.maxFailureRate()));
      }
      return new RolloutView(
          s.tenant(),
          s.rollout(),
          s.release(),
          s.status().name(),
          s.plan().waves().get(s.currentWave()).name(),
          waves,
          s.seq(),
          s.lastHash(),
          s.plannedAt(),
          s.waveStartedAt());
    }
  }

  @Serdeable
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LedgerEntryView(
      String type,
      long seq,
      Instant at,
      String prevHash,
      String hash,
      @Nullable String wave,
      @Nullable Integer waveIndex,
      @Nullable List<String> hosts,
      @Nullable String reason,
      @Nullable Map<String, String> evidence) {

    public static LedgerEntryView of(SpecificRecord r) {
      if (r instanceof WaveStarted e) {
        return new LedgerEntryView(
            "WaveStarted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            e.getWave(),
            e.getWaveIndex(),
            e.getHosts(),
            null,
            null);
      } else if (r instanceof WavePromoted e) {
        return new LedgerEntryView(
            "WavePromoted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            e.getWave(),
            e.getWaveIndex(),
            null,
            null,
            e.getEvidence());
      } else if (r instanceof RolloutHalted e) {
        return new LedgerEntryView(
            "RolloutHalted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            e.getWave(),
            null,
            null,
            e.getReason(),
            e.getEvidence());
      } else if (r instanceof dev.rolloutledger.avro.PauseRecorded e) {
        return new LedgerEntryView(
            "PauseRecorded",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            e.getWave(),
            null,
            null,
            e.getReason(),
            e.getEvidence());
      } else if (r instanceof RolloutCompleted e) {
        return new LedgerEntryView(
            "RolloutCompleted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            null,
            null,
            null,
            null,
            null);
      } else if (r instanceof dev.rolloutledger.avro.HaltLifted e) {
        return new LedgerEntryView(
            "HaltLifted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            null,
            null,
            null,
            e.getReason(),
            java.util.Map.of("by", e.getBy()));
      } else if (r instanceof dev.rolloutledger.avro.PauseLifted e) {
        return new LedgerEntryView(
            "PauseLifted",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            null,
            null,
            null,
            e.getReason(),
            java.util.Map.of("by", e.getBy()));
      } else if (r instanceof dev.rolloutledger.avro.WaveApproved e) {
        return new LedgerEntryView(
            "WaveApproved",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            e.getWave(),
            null,
            null,
            null,
            java.util.Map.of("by", e.getBy()));
      } else if (r instanceof dev.rolloutledger.avro.OutageRecorded e) {
        return new LedgerEntryView(
            "OutageRecorded",
            e.getSeq(),
            e.getAt(),
            e.getPrevHash(),
            e.getHash(),
            null,
            null,
            null,
            null,
            java.util.Map.of(
                "from", e.getFrom().toString(),
                "graceUntil", e.getGraceUntil().toString(),
                "bakeExtendedBy", e.getBakeExtendedBy()));
      }
      throw new IllegalArgumentException("not a ledger entry: " + r.getSchema().getFullName());
    }
  }

  /** A published release, as the engine keeps it. */
  @Serdeable
  public record ReleaseView(
      String release,
      String artifact,
      String version,
      String sha256,
      String publisher,
      String severity,
      Instant publishedAt,
      boolean signed,
      @Nullable String publisherKeyId) {
    static ReleaseView of(dev.rolloutledger.domain.ReleaseInfo r) {
      return new ReleaseView(
          r.release(),
          r.artifact(),
          r.version(),
          r.sha256(),
          r.publisher(),
          r.severity().name(),
          r.publishedAt(),
          r.signed(),
          r.signed() ? PublisherSignatures.keyId(r.publisherKey()) : null);
    }
  }

  @Serdeable
  public record LedgerPage(String rollout, List<LedgerEntryView> entries, @Nullable Long nextSeq) {}
}
