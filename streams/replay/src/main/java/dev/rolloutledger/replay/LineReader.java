package dev.rolloutledger.replay;

import java.io.IOException;
import java.io.InputStream;
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
      while (pos < limit && chunk[pos] != '\n') {
        pos++;
      }
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
