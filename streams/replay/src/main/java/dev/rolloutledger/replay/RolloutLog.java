package dev.rolloutledger.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.LedgerEntry;
import dev.rolloutledger.domain.LedgerInput;
import dev.rolloutledger.topology.AvroMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rollout log: one rollout's inputs and decisions in log order, as JSON Lines. {@code ledger
 * simulate --log} and {@code ledger export} write it, {@code ledger replay} reads it.
 *
 * <pre>
 * {"log":"rollout-ledger","version":2,"tenant":"acme","rollout":"r-1","source":"export","chain":"…"}
 * {"input":"Heartbeat","tenant":"acme","at":"2024-07-19T04:09:10Z","host":"h1",…,"chain":"…"}
 * {"decision":"WaveStarted","tenant":"acme","at":"…","rollout":"r-1","seq":1,…,"chain":"…"}
 * {"end":true,"inputs":2,"decisions":1,"chain":"…"}
 * </pre>
 *
 * <p>An input line has the fields of the input's Avro record (as on its topic) after {@code
 * "input"}, its record name; a clock tick has no tenant, the header's applies. A decision line has
 * the fields of the ledger entry's Avro record after {@code "decision"}. Every line ends with
 * {@code "chain"}: the SHA-256 (hex) of the previous line's chain (64 zeros before the header)
 * followed by this line's text up to the comma before {@code "chain"}. An edited, dropped, inserted
 * or reordered line breaks the chain at that line; a dropped tail loses the end line, which counts
 * both kinds.
 */
public final class RolloutLog {
  private RolloutLog() {}

  public static final String FORMAT = "rollout-ledger";

  /**
   * A log whose inputs include every heartbeat: the server's before the host stage (ADR 0007), and
   * the simulator's before it ran one. Replayed with {@code EngineConfig.heartbeatsAbsorbed} false.
   */
  public static final int VERSION_EVERY_HEARTBEAT = 1;

  /**
   * A log of the journal after the host stage (ADR 0007), the server's and the simulator's: only
   * news, every host alive until a detector reports it, a halt's commands in chunks of {@code
   * EngineConfig.JOURNAL_FAN_OUT_CHUNK} each after a {@code FanOutContinued}. Replayed with {@code
   * EngineConfig.journalV2()}.
   */
  public static final int VERSION_HEARTBEATS_ABSORBED = 2;

  /**
   * As version 2, and: a plan binds its hosts to waves in chunks of {@code
   * EngineConfig.JOURNAL_ASSIGN_CHUNK}, each after an {@code AssignmentContinued}, the rollout
   * PENDING until the last (ADR 0007); the failure fraction cap counts a silence only while it
   * lasts ({@code EngineConfig.silenceCountsWhileItLasts}, docs/decision-quality.md). The server's
   * and the simulator's logs from 2026-12-07 on. Replayed with {@code EngineConfig.journalV3()}.
   */
  public static final int VERSION_ASSIGNED_IN_CHUNKS = 3;

  /**
   * As version 3, and: a gap in the recorded clock longer than a plan's heartbeat timeout is the
   * system's own outage, recorded as an {@code OutageRecorded} entry, and no silence is judged and
   * no wave promotes during the grace that follows ({@code EngineConfig.outageGrace}, ADR 0008).
   * Replayed with {@code EngineConfig.journalV4()}.
   */
  public static final int VERSION_OUTAGE_GRACE = 4;

  /**
   * As version 4, and: each host's reachability is followed ({@code EngineConfig.reachability}): a
   * host with no sign of life at dispatch is recorded unreachable instead of sent an Apply, an
   * Apply that expired unanswered is sent once more, a host silent before its apply report fails by
   * silence, and too many unreachable hosts pause the rollout ({@code PauseRecorded}); the host
   * stage forwards each host's first heartbeat. Replayed with {@code EngineConfig.journalV5()} and
   * the default command validity (one hour, the server's default {@code ledger.command-ttl}).
   */
  public static final int VERSION_REACHABILITY = 5;

  /**
   * As version 5, and: every person's decision is a ledger entry naming who ({@code
   * EngineConfig.personsRecorded}): a pause ({@code PauseRecorded}, reason {@code paused by a
   * person}), resuming a pause ({@code PauseLifted}) and the first approval of a wave ({@code
   * WaveApproved}). Replayed with {@code EngineConfig.journalV6()}.
   */
  public static final int VERSION_PERSONS_RECORDED = 6;

  /** The version this build writes. */
  public static final int VERSION_CURRENT = VERSION_PERSONS_RECORDED;

  /** Whether this build reads (and replays) logs of {@code version}. */
  public static boolean knows(long version) {
    return version >= VERSION_EVERY_HEARTBEAT && version <= VERSION_CURRENT;
  }

  static final String CHAIN = "chain";
  static final String GENESIS = "0".repeat(64);

  /** {@code ,"chain":"} + 64 hex digits + {@code "}}. */
  static final int CHAIN_SUFFIX = 10 + 64 + 2;

  static final JsonFactory JSON = new JsonFactory();

  /** What a line of the log is. */
  public enum Kind {
    HEADER,
    INPUT,
    DECISION,
    END
  }

  /**
   * The header's content: whose rollout this is, where the log comes from, and its version ({@link
   * #VERSION_EVERY_HEARTBEAT} to {@link #VERSION_CURRENT}), which says with which engine
   * configuration it was decided.
   */
  public record Header(String tenant, String rollout, String source, int version) {
    public Header {
      if (!knows(version)) {
        throw new IllegalArgumentException("no rollout log version " + version);
      }
    }

    /**
     * The header of a simulation's log ({@code ledger simulate --log}): the simulator runs the host
     * stage in front of the engine, on the server's engine configuration, so its log is of the
     * current version.
     */
    public static Header simulation() {
      return new Header(
          dev.rolloutledger.domain.sim.Simulator.TENANT,
          dev.rolloutledger.domain.sim.Simulator.ROLLOUT,
          "simulate",
          VERSION_CURRENT);
    }

    /** The engine configuration this log was decided with. */
    public dev.rolloutledger.domain.EngineConfig engineConfig() {
      dev.rolloutledger.domain.EngineConfig every =
          dev.rolloutledger.domain.EngineConfig.defaults();
      if (version == VERSION_HEARTBEATS_ABSORBED) {
        return every.journalV2();
      }
      if (version == VERSION_ASSIGNED_IN_CHUNKS) {
        return every.journalV3();
      }
      if (version == VERSION_OUTAGE_GRACE) {
        return every.journalV4();
      }
      if (version == VERSION_REACHABILITY) {
        return every.journalV5();
      }
      return version == VERSION_PERSONS_RECORDED ? every.journalV6() : every;
    }

    /** The host stage absorbed the heartbeats: only news is in the log (ADR 0007). */
    public boolean heartbeatsAbsorbed() {
      return version >= VERSION_HEARTBEATS_ABSORBED;
    }
  }

  // ---- the chain ----

  /** Computes chains; not thread-safe (one per reader or writer). */
  static final class Chain {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final MessageDigest sha;
    private final byte[] previous = GENESIS.getBytes(StandardCharsets.US_ASCII);
    private final byte[] hex = new byte[64];
    private final byte[] digest = new byte[32];

    Chain() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-256", e);
      }
    }

    /** The chain of a line whose text before {@code ,"chain"} is {@code body[0, length)}. */
    String next(byte[] body, int length) {
      advance(body, length);
      return new String(previous, StandardCharsets.US_ASCII);
    }

    /**
     * Whether {@code line[chainAt, chainAt + 64)} is the chain of the line whose body is {@code
     * line[0, length)}; the chain advances either way (a reader stops at the first mismatch).
     */
    boolean matches(byte[] line, int length, int chainAt) {
      advance(line, length);
      return Arrays.equals(previous, 0, 64, line, chainAt, chainAt + 64);
    }

    private void advance(byte[] body, int length) {
      sha.update(previous);
      sha.update(body, 0, length);
      try {
        sha.digest(digest, 0, digest.length); // into a reused buffer: no array per line
      } catch (java.security.DigestException e) {
        throw new IllegalStateException("SHA-256 digest of 32 bytes refused", e);
      }
      for (int i = 0; i < digest.length; i++) {
        hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
        hex[2 * i + 1] = HEX[digest[i] & 0xF];
      }
      System.arraycopy(hex, 0, previous, 0, 64);
    }
  }

  // ---- lines ----

  /**
   * A line split into its body (the text before {@code ,"chain":"}) and its chain; null when the
   * line does not end with a well-formed chain field.
   */
  record Split(int bodyLength, int chainAt) {
    private static final byte[] MARKER = ",\"chain\":\"".getBytes(StandardCharsets.US_ASCII);

    static Split of(byte[] line, int length) {
      if (length < CHAIN_SUFFIX + 2 || line[length - 1] != '}' || line[length - 2] != '"') {
        return null;
      }
      int start = length - CHAIN_SUFFIX;
      for (int i = 0; i < MARKER.length; i++) {
        if (line[start + i] != MARKER[i]) {
          return null;
        }
      }
      return new Split(start, start + MARKER.length);
    }
  }

  /** Renders the body of a line (everything but the chain and the closing brace). */
  static final class Renderer {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

    byte[] header(Header h) {
      return render(
          g -> {
            g.writeStringField("log", FORMAT);
            g.writeNumberField("version", h.version());
            g.writeStringField("tenant", h.tenant());
            g.writeStringField("rollout", h.rollout());
            g.writeStringField("source", h.source());
          });
    }

    byte[] input(SpecificRecord avro) {
      return render(
          g -> {
            g.writeStringField("input", avro.getSchema().getName());
            AvroJson.writeFields(g, avro);
          });
    }

    byte[] decision(SpecificRecord avro) {
      return render(
          g -> {
            g.writeStringField("decision", avro.getSchema().getName());
            AvroJson.writeFields(g, avro);
          });
    }

    byte[] end(long inputs, long decisions) {
      return render(
          g -> {
            g.writeBooleanField("end", true);
            g.writeNumberField("inputs", inputs);
            g.writeNumberField("decisions", decisions);
          });
    }

    private interface Fields {
      void write(JsonGenerator g) throws IOException;
    }

    private byte[] render(Fields fields) {
      buffer.reset();
      try (JsonGenerator g = JSON.createGenerator(buffer)) {
        g.writeStartObject();
        fields.write(g);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] full = buffer.toByteArray();
      return java.util.Arrays.copyOf(full, full.length - 1); // without the closing brace
    }
  }

  // ---- Avro forms ----

  /** The Avro record a domain input is written as (a clock tick has no tenant on its topic). */
  static SpecificRecord avro(LedgerInput input) {
    if (input instanceof ClockTick tick) {
      return new dev.rolloutledger.avro.ClockTick(tick.at());
    }
    return AvroMapper.toAvro(input);
  }

  static SpecificRecord avro(LedgerEntry entry) {
    return AvroMapper.toAvro(entry);
  }

  /** The input schemas by record name, as the line's {@code "input"} field names them. */
  static final Map<String, Schema> INPUTS = schemasByName();

  private static Map<String, Schema> schemasByName() {
    Map<String, Schema> byName = new java.util.HashMap<>();
    for (Schema s : dev.rolloutledger.topology.LedgerTopology.INPUT_SCHEMA.getTypes()) {
      byName.put(s.getName(), s);
    }
    return Map.copyOf(byName);
  }

  /**
   * Parses an input line (its body, after {@code {"input":"Name",}) to the domain input it
   * records; a clock tick takes {@code tenant}. Throws {@link InvalidFieldException} naming the
   * field.
   */
  static LedgerInput parseInput(JsonParser p, String tenant) throws IOException {
    if (p.nextToken() != JsonToken.VALUE_STRING) {
      throw new InvalidFieldException("input", "must name the input's record");
    }
    Schema schema = INPUTS.get(p.getText());
    if (schema == null) {
      throw new InvalidFieldException("input", "'" + p.getText() + "' is not an input event");
    }
    SpecificRecord avro = AvroJson.readFields(p, schema, "");
    if (avro instanceof dev.rolloutledger.avro.ClockTick tick) {
      return new ClockTick(tenant, tick.getAt());
    }
    return AvroMapper.toDomain(avro);
  }
}
