package dev.rolloutledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LineReaderTest {

  /** The first '\n' byte by byte: what the word-at-a-time scan must agree with. */
  private static int naive(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != '\n') {
      i++;
    }
    return i;
  }

  /** 2,000 seeded tries ({@link Seeds}). */
  static LongStream seeds() {
    return Seeds.seeds(2_000);
  }

  @ParameterizedTest(name = Seeds.NAME)
  @MethodSource("seeds")
  void finds_the_first_newline_exactly_as_a_byte_by_byte_scan(long seed) {
    Seeds.check(
        seed,
        random -> {
          int[] kinds = new int[Seeds.sizes(random, 0, 80)];
          for (int i = 0; i < kinds.length; i++) {
            kinds[i] = random.nextInt(4);
          }
          findsTheFirstNewlineAsAByteByByteScan(kinds, (int) Seeds.longs(random, 0, 16));
        });
  }

  @Test
  void finds_the_first_newline_exactly_as_a_byte_by_byte_scan_at_the_edges() {
    for (int[] kinds : new int[][] {{}, {0}, {1}, {2}, {3}, {1, 2, 3, 0}}) {
      for (int from : new int[] {0, 1, 15, 16}) {
        findsTheFirstNewlineAsAByteByByteScan(kinds, from);
      }
    }
  }

  private static void findsTheFirstNewlineAsAByteByByteScan(int[] kinds, int from) {
    // bytes around '\n' in value, where a borrow-based zero test could flag the wrong byte
    byte[] palette = {'\n', 0x0B, 0x09, (byte) 0x8A};
    byte[] b = new byte[kinds.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = palette[kinds[i]];
    }
    int start = Math.min(from, b.length);
    assertThat(LineReader.newline(b, start, b.length))
        .as(() -> "bytes " + Arrays.toString(b) + " from " + start)
        .isEqualTo(naive(b, start, b.length));
  }

  @Test
  void finds_a_newline_in_any_of_the_eight_byte_positions_of_a_word() {
    for (int at = 0; at < 24; at++) {
      byte[] b = new byte[24];
      java.util.Arrays.fill(b, (byte) 'a');
      b[at] = '\n';
      if (at + 1 < b.length) {
        b[at + 1] = 0x0B; // a byte one above '\n' right after it
      }
      assertThat(LineReader.newline(b, 0, b.length)).as("newline at %d", at).isEqualTo(at);
    }
    assertThat(LineReader.newline(new byte[17], 0, 17)).isEqualTo(17);
  }

  @Test
  void splits_lines_across_chunk_boundaries_and_strips_carriage_returns() throws IOException {
    StringBuilder text = new StringBuilder();
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String line = "x".repeat(i % 300) + i;
      want.add(line);
      text.append(line).append(i % 7 == 0 ? "\r\n" : "\n");
    }
    text.append("last without newline");
    want.add("last without newline");
    byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
    // a stream that hands out few bytes at a time, so lines straddle reads
    InputStream in =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 97));
          }
        };
    LineReader reader = new LineReader(in);
    List<String> got = new ArrayList<>();
    while (reader.next()) {
      got.add(new String(reader.bytes(), 0, reader.length(), StandardCharsets.US_ASCII));
    }
    assertThat(got).isEqualTo(want);
    assertThat(reader.consumed()).isEqualTo(bytes.length - "last without newline".length());
  }
}
