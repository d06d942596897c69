package dev.rolloutledger.topology;

import dev.rolloutledger.domain.Apply;
import dev.rolloutledger.domain.HaltLifted;
import dev.rolloutledger.domain.Hold;
import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerHash;
import dev.rolloutledger.domain.OutageRecorded;
import dev.rolloutledger.domain.PauseLifted;
import dev.rolloutledger.domain.PauseRecorded;
import dev.rolloutledger.domain.Rollback;
import dev.rolloutledger.domain.RolloutCompleted;
import dev.rolloutledger.domain.RolloutHalted;
import dev.rolloutledger.domain.WaveApproved;
import dev.rolloutledger.domain.WavePromoted;
import dev.rolloutledger.domain.WaveStarted;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The ledger's entries and the host commands, Avro and domain. Split from {@link AvroMapper}, which
 * answers for them by type.
 */
final class AvroEntries {
  private AvroEntries() {}

  // ---- ledger entries ----

  /** The Avro ledger record of an entry, carrying its own hash as well as its predecessor's. */
  static SpecificRecord toAvro(LedgerEntry entry) {
    String hash = LedgerHash.of(entry);
    if (entry instanceof WaveStarted e) {
      return dev.rolloutledger.avro.WaveStarted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setWave(e.wave())
          .setWaveIndex(e.waveIndex())
          .setHosts(e.hosts())
          .build();
    } else if (entry instanceof WavePromoted e) {
      return dev.rolloutledger.avro.WavePromoted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setWave(e.wave())
          .setWaveIndex(e.waveIndex())
          .setEvidence(e.evidence())
          .build();
    } else if (entry instanceof RolloutHalted e) {
      return dev.rolloutledger.avro.RolloutHalted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setWave(e.wave())
          .setReason(e.reason())
          .setEvidence(e.evidence())
          .build();
    } else if (entry instanceof RolloutCompleted e) {
      return dev.rolloutledger.avro.RolloutCompleted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .build();
    } else if (entry instanceof OutageRecorded e) {
      return dev.rolloutledger.avro.OutageRecorded.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setFrom(e.from())
          .setGraceUntil(e.graceUntil())
          .setBakeExtendedBy(e.bakeExtendedBy().toString())
          .build();
    } else if (entry instanceof PauseRecorded e) {
      return dev.rolloutledger.avro.PauseRecorded.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setWave(e.wave())
          .setReason(e.reason())
          .setEvidence(e.evidence())
          .build();
    } else if (entry instanceof HaltLifted e) {
      return dev.rolloutledger.avro.HaltLifted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (entry instanceof PauseLifted e) {
      return dev.rolloutledger.avro.PauseLifted.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setBy(e.by())
          .setReason(e.reason())
          .build();
    } else if (entry instanceof WaveApproved e) {
      return dev.rolloutledger.avro.WaveApproved.newBuilder()
          .setTenant(e.tenant())
          .setAt(e.at())
          .setRollout(e.rollout())
          .setSeq(e.seq())
          .setPrevHash(e.prevHash())
          .setHash(hash)
          .setWave(e.wave())
          .setBy(e.by())
          .build();
    }
    throw new IllegalArgumentException("unmapped entry " + entry.getClass());
  }

  /** The domain entry of a ledger record (its stored hash is checked by the auditor, not here). */
  static LedgerEntry entryToDomain(SpecificRecord record) {
    if (record instanceof dev.rolloutledger.avro.WaveStarted r) {
      return new WaveStarted(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getWave(),
          r.getWaveIndex(),
          r.getHosts());
    } else if (record instanceof dev.rolloutledger.avro.WavePromoted r) {
      return new WavePromoted(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getWave(),
          r.getWaveIndex(),
          r.getEvidence());
    } else if (record instanceof dev.rolloutledger.avro.RolloutHalted r) {
      return new RolloutHalted(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getWave(),
          r.getReason(),
          r.getEvidence());
    } else if (record instanceof dev.rolloutledger.avro.RolloutCompleted r) {
      return new RolloutCompleted(
          r.getTenant(), r.getAt(), r.getRollout(), r.getSeq(), r.getPrevHash());
    } else if (record instanceof dev.rolloutledger.avro.OutageRecorded r) {
      return new OutageRecorded(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getFrom(),
          r.getGraceUntil(),
          AvroMapper.duration("bakeExtendedBy", r.getBakeExtendedBy()));
    } else if (record instanceof dev.rolloutledger.avro.PauseRecorded r) {
      return new PauseRecorded(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getWave(),
          r.getReason(),
          r.getEvidence());
    } else if (record instanceof dev.rolloutledger.avro.HaltLifted r) {
      return new HaltLifted(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getBy(),
          r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.PauseLifted r) {
      return new PauseLifted(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getBy(),
          r.getReason());
    } else if (record instanceof dev.rolloutledger.avro.WaveApproved r) {
      return new WaveApproved(
          r.getTenant(),
          r.getAt(),
          r.getRollout(),
          r.getSeq(),
          r.getPrevHash(),
          r.getWave(),
          r.getBy());
    }
    throw new IllegalArgumentException("not a ledger entry: " + record.getSchema().getFullName());
  }

  // ---- commands ----

  static SpecificRecord toAvro(HostCommand command) {
    // Apply, Hold and Rollback share one field list; only the record type differs
    SpecificRecordBase record;
    if (command instanceof Apply) {
      record = new dev.rolloutledger.avro.Apply();
    } else if (command instanceof Hold) {
      record = new dev.rolloutledger.avro.Hold();
    } else if (command instanceof Rollback) {
      record = new dev.rolloutledger.avro.Rollback();
    } else {
      throw new IllegalArgumentException("unmapped command " + command.getClass());
    }
    record.put("commandId", command.commandId());
    record.put("tenant", command.tenant());
    record.put("rollout", command.rollout());
    record.put("host", command.host());
    record.put("release", command.release());
    record.put("sha256", command.sha256());
    record.put("seq", command.seq());
    record.put("issuedAt", command.issuedAt());
    record.put("expiresAt", command.expiresAt());
    record.put("keyId", null);
    record.put("signature", null);
    return record;
  }
}
