package dev.rolloutledger.domain;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A span of time in which the owner lets updates move: {@code [start, end)} in UTC on the given
 * days (no days = every day). A window that ends before it starts runs past midnight into the next
 * day (e.g. 22:00-02:00); its day is the day it starts.
 */
public record MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end) {

  public MaintenanceWindow {
    Checks.present("days", days);
    Checks.present("start", start);
    Checks.present("end", end);
    if (start.equals(end)) {
      throw new InvalidFieldException("end", "must differ from start");
    }
    days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
  }

  /** Whether {@code at} falls in this window. */
  public boolean contains(Instant at) {
    ZonedDateTime t = at.atZone(ZoneOffset.UTC);
    LocalTime time = t.toLocalTime();
    if (start.isBefore(end)) {
      return onDay(t.getDayOfWeek()) && !time.isBefore(start) && time.isBefore(end);
    }
    // past midnight: the evening part belongs to today, the morning part to yesterday's window
    return (onDay(t.getDayOfWeek()) && !time.isBefore(start))
        || (onDay(t.getDayOfWeek().minus(1)) && time.isBefore(end));
  }

  private boolean onDay(DayOfWeek day) {
    return days.isEmpty() || days.contains(day);
  }
}
