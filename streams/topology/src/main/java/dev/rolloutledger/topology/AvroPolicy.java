package dev.rolloutledger.topology;

import dev.rolloutledger.avro.MaintenanceWindowSpec;
import dev.rolloutledger.avro.OwnerPolicySpec;
import dev.rolloutledger.avro.TrustedPublisherSpec;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.MaintenanceWindow;
import dev.rolloutledger.domain.OwnerPolicy;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The owner's policy between its Avro form ({@code OwnerPolicySpec}) and the domain's. */
final class AvroPolicy {
  private AvroPolicy() {}

  static OwnerPolicy toDomain(String tenant, OwnerPolicySpec spec) {
    List<MaintenanceWindow> windows = new ArrayList<>();
    for (int i = 0; i < spec.getWindows().size(); i++) {
      MaintenanceWindowSpec w = spec.getWindows().get(i);
      String path = "windows[" + i + "]";
      Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
      for (String day : w.getDays()) {
        try {
          days.add(DayOfWeek.valueOf(day.toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new InvalidFieldException(
              path + ".days", "must be MONDAY..SUNDAY, was '" + day + "'");
        }
      }
      try {
        windows.add(
            new MaintenanceWindow(
                days,
                time(path + ".start", w.getStart()),
                time(path + ".end", w.getEnd()),
                MaintenanceWindow.zone(path + ".zone", w.getZone())));
      } catch (InvalidFieldException e) {
        throw e.field().startsWith(path) ? e : e.within(path);
      }
    }
    return new OwnerPolicy(
        tenant,
        spec.getPin(),
        spec.getPaused(),
        windows,
        AvroMapper.duration("delay", spec.getDelay()),
        spec.getAllowedPublishers(),
        spec.getBy(),
        trusted(spec.getTrustedPublishers()));
  }

  static OwnerPolicySpec toAvro(OwnerPolicy p) {
    List<MaintenanceWindowSpec> windows = new ArrayList<>();
    for (MaintenanceWindow w : p.windows()) {
      windows.add(
          new MaintenanceWindowSpec(
              w.days().stream().sorted().map(DayOfWeek::name).toList(),
              w.start().toString(),
              w.end().toString(),
              w.zone().getId()));
    }
    return OwnerPolicySpec.newBuilder()
        .setPin(p.pin())
        .setPaused(p.paused())
        .setWindows(windows)
        .setDelay(p.delay().toString())
        .setAllowedPublishers(p.allowedPublishers())
        .setBy(p.by())
        .setTrustedPublishers(
            p.trustedPublishers().stream()
                .map(t -> new TrustedPublisherSpec(t.name(), t.publicKey()))
                .toList())
        .build();
  }

  private static List<OwnerPolicy.TrustedPublisher> trusted(List<TrustedPublisherSpec> specs) {
    List<OwnerPolicy.TrustedPublisher> out = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      TrustedPublisherSpec t = specs.get(i);
      try {
        out.add(new OwnerPolicy.TrustedPublisher(t.getName(), t.getPublicKey()));
      } catch (InvalidFieldException e) {
        throw e.within("trustedPublishers[" + i + "]");
      }
    }
    return out;
  }

  private static LocalTime time(String field, String hhmm) {
    try {
      return LocalTime.parse(hhmm);
    } catch (DateTimeParseException | NullPointerException e) {
      throw new InvalidFieldException(field, "must be a time of day HH:MM, was '" + hhmm + "'");
    }
  }
}
