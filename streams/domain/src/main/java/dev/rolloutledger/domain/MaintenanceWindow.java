package dev.rolloutledger.domain;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A span of time in which the owner lets updates move: {@code [start, end)} in the wall-clock time
 * of {@code zone} (an IANA zone such as {@code Europe/Paris}; UTC by default) on the given days (no
 * days = every day). A window that ends before it starts runs past midnight into the next day (e.g.
 * 22:00-02:00); its day is the day it starts.
 *
 * <p>Daylight saving time: an instant is in the window when its local time in the zone is. So a
 * window keeps its local hours across a change (02:00-04:00 in Paris is 01:00-03:00 UTC in winter
 * and 00:00-02:00 UTC in summer); on the night the clocks go forward the skipped hour is simply not
 * there (02:00-04:00 lasts one hour), and on the night they go back the repeated hour is in the
 * window twice (it lasts three).
 */
public record MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {

  /** A window in UTC. */
  public MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end) {
    this(days, start, end, ZoneOffset.UTC);
  }

  public MaintenanceWindow {
    Checks.present("days", days);
    Checks.present("start", start);
    Checks.present("end", end);
    if (start.equals(end)) {
      throw new InvalidFieldException("end", "must differ from start");
    }
    days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    Checks.present("zone", zone);
  }

  /**
   * An IANA zone id ({@code Europe/Paris}), {@code UTC} or an offset ({@code +02:00}); anything
   * else names the field.
   */
  public static ZoneId zone(String field, String id) {
    if (id == null) {
      throw new InvalidFieldException(field, "must not be null");
    }
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      throw new InvalidFieldException(
          field, "must be an IANA time zone such as Europe/Paris or UTC, was '" + id + "'");
    }
  }

  /** Whether {@code at} falls in this window. */
  public boolean contains(Instant at) {
    ZonedDateTime t = at.atZone(zone);
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
