package dev.rolloutledger.server.notify;

import dev.rolloutledger.avro.PauseRecorded;
import dev.rolloutledger.avro.RolloutCompleted;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.WavePromoted;
import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a notification says: one ledger entry of a rollout, with the rollout's release when this
 * instance knows it (see {@link Notifier}).
 */
public record Notice(
    String tenant,
    String rollout,
    @Nullable String release,
    NotificationEvent event,
    long seq,
    String hash,
    Instant at,
    @Nullable String wave,
    @Nullable String reason,
    Map<String, String> evidence) {

  public Notice {
    evidence = Map.copyOf(evidence);
  }

  /** The ledger entry's type, e.g. {@code RolloutHalted}. */
  public String type() {
    return event.entryType();
  }

  /** Evidence in key order, so that bodies are the same for the same entry. */
  public Map<String, String> sortedEvidence() {
    return new TreeMap<>(evidence);
  }

  /** The entry as a notice, if it is one a webhook can be told about. */
  public static Optional<Notice> of(SpecificRecord entry, @Nullable String release) {
    if (entry instanceof RolloutHalted e) {
      return Optional.of(
          new Notice(
              e.getTenant(),
              e.getRollout(),
              release,
              NotificationEvent.HALTED,
              e.getSeq(),
              e.getHash(),
              e.getAt(),
              e.getWave(),
              e.getReason(),
              e.getEvidence()));
    } else if (entry instanceof WavePromoted e) {
      return Optional.of(
          new Notice(
              e.getTenant(),
              e.getRollout(),
              release,
              NotificationEvent.PROMOTED,
              e.getSeq(),
              e.getHash(),
              e.getAt(),
              e.getWave(),
              null,
              e.getEvidence()));
    } else if (entry instanceof RolloutCompleted e) {
      return Optional.of(
          new Notice(
              e.getTenant(),
              e.getRollout(),
              release,
              NotificationEvent.COMPLETED,
              e.getSeq(),
              e.getHash(),
              e.getAt(),
              null,
              null,
              Map.of()));
    } else if (entry instanceof PauseRecorded e) {
      return Optional.of(
          new Notice(
              e.getTenant(),
              e.getRollout(),
              release,
              NotificationEvent.PAUSED,
              e.getSeq(),
              e.getHash(),
              e.getAt(),
              e.getWave(),
              e.getReason(),
              e.getEvidence()));
    }
    return Optional.empty();
  }
}
