package dev.rolloutledger.replay;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads '\n'-terminated lines into a reused buffer, without decoding them: the chain is computed
 * over the bytes as they are, and most lines are only hashed and compared.
 */
final class LineReader {
  private final InputStream in;
  private final byte[] chunk = new byte[1 << 16];
  private int pos;
  private int limit;
  private byte[] line = new byte[1024];
  private int length;
  private long consumed;

  LineReader(InputStream in) {
    this.in = in;
  }

  /** Reads the next line (without its '\n' or '\r\n'); false at the end of the stream. */
  boolean next() throws IOException {
    length = 0;
    boolean any = false;
    while (true) {
      if (pos == limit) {
        limit = in.read(chunk, 0, chunk.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          return any;
        }
      }
      any = true;
      int start = pos;
      pos = newline(chunk, pos, limit);
      append(start, pos - start);
      if (pos < limit) {
        pos++; // the '\n'
        consumed += length + 1;
        if (length > 0 && line[length - 1] == '\r') {
          length--;
        }
        return true;
      }
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The index of the first '\n' in {@code b[from, to)}, or {@code to}. Eight bytes at a time: a
   * byte of {@code w ^ NEWLINES} is zero where {@code w} holds '\n', and the lowest byte flagged by
   * the zero-byte test is always a real one (a false flag needs a borrow from a lower zero byte).
   * Lines average 190 bytes, and the byte-at-a-time loop was a fifth of the reading thread.
   */
  static int newline(byte[] b, int from, int to) {
    int i = from;
    while (i + Long.BYTES <= to) {
      long x = (long) LONGS.get(b, i) ^ NEWLINES;
      long zeros = (x - ONES) & ~x & HIGHS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
      i += Long.BYTES;
    }
    while (i < to && b[i] != '\n') {
      i++;
    }
    return i;
  }

  private void append(int from, int count) {
    if (length + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
    }
    System.arraycopy(chunk, from, line, length, count);
    length += count;
  }

  byte[] bytes() {
    return line;
  }

  int length() {
    return length;
  }

  /** Bytes of the stream consumed so far (for progress). */
  long consumed() {
    return consumed;
  }
}
