package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.domain.InvalidFieldException;
import java.time.Instant;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroJsonTest {

  /** Instants as the log writes them: 2,000 seeded tries ({@link Seeds}). */
  static LongStream seeds() {
    return Seeds.seeds(2_000);
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource("seeds")
  void reads_every_instant_the_log_writes_as_the_general_parser_does(long seed) {
    Seeds.check(
        seed,
        random -> {
          // from 1970 to 2200: an edge case (0, 1 ms, the last two ms) in one draw of eight, and a
          // whole second (written without a fraction) in one of eight more
          long millis = Seeds.longs(random, 0, 7_258_118_400_000L);
          if (random.nextInt(8) == 0) {
            millis -= millis % 1_000;
          }
          String text = Instant.ofEpochMilli(millis).toString();

          assertThat(AvroJson.instant(text, "at")).as(text).isEqualTo(Instant.parse(text));
        });
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
