package dev.rolloutledger.replay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.topology.InputChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a {@link RolloutLog} line by line, checking the chain of every line as it goes: a line that
 * does not extend the chain of the lines before it is a {@link LogException} naming it.
 */
public final class RolloutLogReader implements AutoCloseable {
  private static final byte[] INPUT = "{\"input\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DECISION = "{\"decision\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "{\"end\":".getBytes(StandardCharsets.US_ASCII);

  private final InputStream stream;
  private final LineReader lines;
  private final RolloutLog.Chain chain = new RolloutLog.Chain();
  private final RolloutLog.Header header;
  private final CommonLines common;
  private long line;
  private int bodyLength;
  private RolloutLog.Kind kind;

  /** Opens the log and reads its header; throws {@link LogException} for a log of another kind. */
  public RolloutLogReader(InputStream in) {
    this.stream = in;
    this.lines = new LineReader(in);
    if (next() != RolloutLog.Kind.HEADER) {
      throw new LogException(1, "is not a rollout log header ({\"log\":\"rollout-ledger\",...})");
    }
    this.header = parseHeader();
    try {
      Checks.doorId("tenant", header.tenant());
    } catch (InvalidFieldException e) {
      throw new LogException(1, "names a tenant no door accepts: " + e.problem());
    }
    this.common = new CommonLines(header.tenant());
  }

  public RolloutLog.Header header() {
    return header;
  }

  /** The number of the current line, from 1. */
  public long line() {
    return line;
  }

  /** Bytes read so far. */
  public long consumed() {
    return lines.consumed();
  }

  /** Reads the next line and checks its chain; null at the end of the stream. */
  public RolloutLog.Kind next() {
    try {
      if (!lines.next()) {
        return kind = null;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    line++;
    byte[] b = lines.bytes();
    RolloutLog.Split split = RolloutLog.Split.of(b, lines.length());
    if (split == null) {
      throw new LogException(line, "does not end with its \"chain\" field");
    }
    bodyLength = split.bodyLength();
    if (!chain.matches(b, bodyLength, split.chainAt())) {
      throw new LogException(
          line,
          "breaks the hash chain: it, or a line before it, was edited, dropped, inserted or"
              + " reordered");
    }
    if (startsWith(b, INPUT)) {
      kind = RolloutLog.Kind.INPUT;
    } else if (startsWith(b, DECISION)) {
      kind = RolloutLog.Kind.DECISION;
    } else if (startsWith(b, END)) {
      kind = RolloutLog.Kind.END;
    } else if (line == 1) {
      kind = RolloutLog.Kind.HEADER;
    } else {
      throw new LogException(line, "is neither an input, a decision nor the end");
    }
    return kind;
  }

  /** The current line's text before {@code ,"chain"}; valid until the next {@link #next()}. */
  byte[] body() {
    return lines.bytes();
  }

  int bodyLength() {
    return bodyLength;
  }

  /**
   * The input the current line records, if it passes the rules every door applies ({@link
   * InputChecks#logged}): a log holding what no door accepts (a NaN metric, a 200-character id) is
   * refused at that line, naming the field, before the engine sees it.
   */
  public LedgerInput input() {
    LedgerInput tickOrBeat = common.read(lines.bytes(), bodyLength);
    // a tick or heartbeat read from its bytes is of the log's tenant, by construction
    return doorRules(tickOrBeat != null ? tickOrBeat : parsedInput());
  }

  private LedgerInput doorRules(LedgerInput input) {
    try {
      if (input instanceof ClockTick tick) {
        // most lines of a log; its tenant is the header's, checked once
        InputChecks.time("at", tick.at());
        return input;
      }
      return InputChecks.logged(input);
    } catch (InvalidFieldException e) {
      throw new LogException(
          line, "holds an input no door accepts: field " + e.field() + " " + e.problem());
    }
  }

  /** The input of the current line by the general parser (which {@link #input()} may skip). */
  LedgerInput parsedInput() {
    try (JsonParser p = parser()) {
      p.nextToken(); // {
      p.nextToken(); // "input"
      LedgerInput input = RolloutLog.parseInput(p, header.tenant());
      if (!input.tenant().equals(header.tenant())) {
        throw new LogException(
            line, "is an input of tenant '" + input.tenant() + "', not the log's tenant");
      }
      return input;
    } catch (InvalidFieldException e) {
      throw new LogException(line, "field " + e.field() + " " + e.problem());
    } catch (IOException e) {
      throw new LogException(line, "is not valid JSON: " + e.getMessage());
    }
  }

  /** The end line's counts: {inputs, decisions}. */
  public long[] endCounts() {
    try (JsonParser p = parser()) {
      long inputs = -1;
      long decisions = -1;
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("inputs")) {
          inputs = p.getLongValue();
        } else if (name.equals("decisions")) {
          decisions = p.getLongValue();
        }
      }
      return new long[] {inputs, decisions};
    } catch (IOException e) {
      throw new LogException(line, "is not valid JSON: " + e.getMessage());
    }
  }

  private RolloutLog.Header parseHeader() {
    String tenant = null;
    String rollout = null;
    String source = null;
    long version = -1;
    String format = null;
    try (JsonParser p = parser()) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "log" -> format = p.getText();
          case "version" ->
              version = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
          case "tenant" -> tenant = p.getText();
          case "rollout" -> rollout = p.getText();
          case "source" -> source = p.getText();
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new LogException(1, "is not valid JSON: " + e.getMessage());
    }
    if (!RolloutLog.FORMAT.equals(format) || !RolloutLog.knows(version)) {
      throw new LogException(
          1,
          "is not a rollout log of version "
              + RolloutLog.VERSION_EVERY_HEARTBEAT
              + " to "
              + RolloutLog.VERSION_CURRENT
              + " (\"log\", \"version\")");
    }
    if (tenant == null || rollout == null) {
      throw new LogException(1, "names no tenant or rollout");
    }
    return new RolloutLog.Header(tenant, rollout, source == null ? "" : source, (int) version);
  }

  /** A parser over the current line's body, closed as a JSON object. */
  private JsonParser parser() throws IOException {
    byte[] b = lines.bytes();
    // the body lacks only the closing brace: the parser stops at "chain" or at the body's end
    return RolloutLog.JSON.createParser(b, 0, bodyLength + RolloutLog.CHAIN_SUFFIX);
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    try {
      stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
