package dev.rolloutledger.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Maintenance windows keep their local hours in their zone, across daylight saving changes. */
class MaintenanceWindowTest {

  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private static MaintenanceWindow paris(Set<DayOfWeek> days, String start, String end) {
    return new MaintenanceWindow(days, LocalTime.parse(start), LocalTime.parse(end), PARIS);
  }

  /** How long the window is open between two instants, minute by minute. */
  private static Duration openBetween(MaintenanceWindow w, Instant from, Instant to) {
    long minutes = 0;
    for (Instant t = from; t.isBefore(to); t = t.plusSeconds(60)) {
      if (w.contains(t)) {
        minutes++;
      }
    }
    return Duration.ofMinutes(minutes);
  }

  @Test
  void is_in_utc_by_default() {
    MaintenanceWindow w = new MaintenanceWindow(Set.of(), LocalTime.of(2, 0), LocalTime.of(4, 0));
    assertThat(w.zone()).isEqualTo(ZoneOffset.UTC);
    assertThat(w.contains(Instant.parse("2026-01-10T02:30:00Z"))).isTrue();
  }

  @Nested
  class In_Europe_Paris {
    private final MaintenanceWindow night = paris(Set.of(), "02:00", "04:00");

    @Test
    void follows_local_time_in_winter_and_in_summer() {
      // winter: UTC+1, so 02:00-04:00 local is 01:00-03:00 UTC
      assertThat(night.contains(Instant.parse("2026-01-10T00:59:00Z"))).isFalse();
      assertThat(night.contains(Instant.parse("2026-01-10T01:00:00Z"))).isTrue();
      assertThat(night.contains(Instant.parse("2026-01-10T02:59:00Z"))).isTrue();
      assertThat(night.contains(Instant.parse("2026-01-10T03:00:00Z"))).isFalse();
      // summer: UTC+2, so 00:00-02:00 UTC
      assertThat(night.contains(Instant.parse("2026-07-10T00:00:00Z"))).isTrue();
      assertThat(night.contains(Instant.parse("2026-07-10T02:00:00Z"))).isFalse();
    }

    @Test
    void lasts_one_hour_the_night_the_clocks_go_forward_and_three_when_they_go_back() {
      // 2026-03-29 02:00 local becomes 03:00; 2026-10-25 03:00 local becomes 02:00 again
      Duration spring =
          openBetween(
              night, Instant.parse("2026-03-28T20:00:00Z"), Instant.parse("2026-03-29T06:00:00Z"));
      Duration autumn =
          openBetween(
              night, Instant.parse("2026-10-24T20:00:00Z"), Instant.parse("2026-10-25T06:00:00Z"));

      assertThat(spring).isEqualTo(Duration.ofHours(1));
      assertThat(autumn).isEqualTo(Duration.ofHours(3));
    }

    @Test
    void judges_the_day_in_local_time() {
      MaintenanceWindow sundays = paris(Set.of(DayOfWeek.SUNDAY), "00:30", "01:30");
      // Saturday 23:45 UTC in winter is Sunday 00:45 in Paris
      assertThat(sundays.contains(Instant.parse("2026-01-10T23:45:00Z"))).isTrue();
      assertThat(sundays.contains(Instant.parse("2026-01-11T23:45:00Z"))).isFalse();
    }
  }

  @Test
  void refuses_a_zone_that_is_not_one_naming_the_field() {
    assertThatThrownBy(() -> MaintenanceWindow.zone("windows[0].zone", "Europe/Atlantis"))
        .isInstanceOfSatisfying(
            InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("windows[0].zone"));
    assertThat(MaintenanceWindow.zone("zone", "UTC")).isEqualTo(ZoneId.of("UTC"));
  }
}
