package dev.rolloutledger.server.notify;

import dev.rolloutledger.avro.PauseRecorded;
import dev.rolloutledger.avro.RolloutCompleted;
import dev.rolloutledger.avro.RolloutHalted;
import dev.rolloutledger.avro.WavePromoted;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a webhook can be told about: one ledger entry type each. Other entries (a wave started, a
 * halt lifted, an outage) are not sent.
 */
public enum NotificationEvent {
  HALTED(RolloutHalted.class),
  PROMOTED(WavePromoted.class),
  COMPLETED(RolloutCompleted.class),
  PAUSED(PauseRecorded.class);

  private final Class<? extends SpecificRecord> entry;

  NotificationEvent(Class<? extends SpecificRecord> entry) {
    this.entry = entry;
  }

  /** The name in the API and in bodies: {@code halted}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The ledger entry type it reports, e.g. {@code RolloutHalted}. */
  public String entryType() {
    return entry.getSimpleName();
  }

  public static Optional<NotificationEvent> parse(String wire) {
    for (NotificationEvent e : values()) {
      if (e.wire().equals(wire)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The event a ledger entry is, if it is one a webhook can be told about. */
  public static Optional<NotificationEvent> of(SpecificRecord entry) {
    for (NotificationEvent e : values()) {
      if (e.entry.isInstance(entry)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
