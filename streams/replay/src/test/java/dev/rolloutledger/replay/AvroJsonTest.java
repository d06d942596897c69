package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  @Property(tries = 2000)
  void reads_every_instant_the_log_writes_as_the_general_parser_does(
      @ForAll @LongRange(min = 0, max = 7_258_118_400_000L) long millis) {
    String text = Instant.ofEpochMilli(millis).toString();

    assertThat(AvroJson.instant(text, "at")).isEqualTo(Instant.parse(text));
  }

  @Test
  void reads_other_iso_instants_too() {
    assertThat(AvroJson.instant("2024-07-19T04:09:00.123456Z", "at"))
        .isEqualTo(Instant.parse("2024-07-19T04:09:00.123456Z"));
  }

  @Test
  void refuses_an_impossible_date_naming_the_field() {
    assertThatThrownBy(() -> AvroJson.instant("2024-02-30T04:09:00Z", "at"))
        .isInstanceOf(InvalidFieldException.class)
        .hasMessageContaining("at");
    assertThatThrownBy(() -> AvroJson.instant("2024-07-19T24:09:00Z", "at"))
        .isInstanceOf(InvalidFieldException.class);
  }
}
