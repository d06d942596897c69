package dev.rolloutledger.domain;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The hash that chains ledger entries: lower-case hex SHA-256 of a canonical encoding of every
 * field of the entry.
 *
 * <h2>Encoding, version 1</h2>
 *
 * <p>Primitives, concatenated without separators:
 *
 * <ul>
 *   <li>{@code str(s)}: the length in bytes of the UTF-8 encoding of {@code s} as a 4-byte
 *       big-endian signed integer, then those bytes;
 *   <li>{@code i32(n)}: 4 bytes, big-endian two's complement; {@code i64(n)}: 8 bytes, the same;
 *   <li>{@code time(t)}: {@code i64} of milliseconds since 1970-01-01T00:00:00Z (entries hold
 *       millisecond precision);
 *   <li>{@code list(l)}: {@code i32} count, then {@code str} of each element in list order;
 *   <li>{@code map(m)}: {@code i32} count, then {@code str(key) str(value)} for each entry in
 *       ascending order of the keys' UTF-8 bytes compared as unsigned bytes (which is Unicode code
 *       point order).
 * </ul>
 *
 * <p>An entry is encoded as
 *
 * <pre>
 * str("rollout-ledger/ledger-entry/v1") str(type)
 * str(tenant) time(at) str(rollout) i64(seq) str(prevHash)
 * ...type-specific fields
 * </pre>
 *
 * <p>where {@code type} and the type-specific fields are:
 *
 * <pre>
 * "WaveStarted"      str(wave) i32(waveIndex) list(hosts)
 * "WavePromoted"     str(wave) i32(waveIndex) map(evidence)
 * "RolloutHalted"    str(wave) str(reason) map(evidence)
 * "RolloutCompleted" (none)
 * "HaltLifted"       str(by) str(reason)
 * "OutageRecorded"   time(from) time(graceUntil) i64(bakeExtendedBy in milliseconds)
 * "PauseRecorded"    str(wave) str(reason) map(evidence)
 * "PauseLifted"      str(by) str(reason)
 * "WaveApproved"     str(wave) str(by)
 * </pre>
 *
 * <p>Every field is either fixed-width or length-prefixed and the type fixes the field list, so two
 * different entries never share an encoding. {@code prevHash} is the hash of the previous entry of
 * the same rollout, {@link #GENESIS} for the first.
 */
public final class LedgerHash {

  /** The {@code prevHash} of a rollout's first entry: 64 zeros. */
  public static final String GENESIS = "0".repeat(64);

  static final String FORMAT = "rollout-ledger/ledger-entry/v1";

  private LedgerHash() {}

  public static String of(LedgerEntry entry) {
    Encoder out = new Encoder();
    out.str(FORMAT);
    // Explicit type names: renaming a class must not change the hashes of past entries.
    if (entry instanceof WaveStarted e) {
      out.header("WaveStarted", e).str(e.wave()).i32(e.waveIndex()).list(e.hosts());
    } else if (entry instanceof WavePromoted e) {
      out.header("WavePromoted", e).str(e.wave()).i32(e.waveIndex()).map(e.evidence());
    } else if (entry instanceof RolloutHalted e) {
      out.header("RolloutHalted", e).str(e.wave()).str(e.reason()).map(e.evidence());
    } else if (entry instanceof HaltLifted e) {
      out.header("HaltLifted", e).str(e.by()).str(e.reason());
    } else if (entry instanceof OutageRecorded e) {
      out.header("OutageRecorded", e)
          .i64(e.from().toEpochMilli())
          .i64(e.graceUntil().toEpochMilli())
          .i64(e.bakeExtendedBy().toMillis());
    } else if (entry instanceof PauseRecorded e) {
      out.header("PauseRecorded", e).str(e.wave()).str(e.reason()).map(e.evidence());
    } else if (entry instanceof PauseLifted e) {
      out.header("PauseLifted", e).str(e.by()).str(e.reason());
    } else if (entry instanceof WaveApproved e) {
      out.header("WaveApproved", e).str(e.wave()).str(e.by());
    } else if (entry instanceof RolloutCompleted e) {
      out.header("RolloutCompleted", e);
    } else {
      throw new IllegalArgumentException("unknown ledger entry type " + entry.getClass());
    }
    return HexFormat.of().formatHex(sha256(out.bytes()));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  private static final class Encoder {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Encoder header(String type, LedgerEntry e) {
      return str(type)
          .str(e.tenant())
          .i64(e.at().toEpochMilli())
          .str(e.rollout())
          .i64(e.seq())
          .str(e.prevHash());
    }

    Encoder str(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Encoder i32(int n) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        buffer.write(n >>> shift);
      }
      return this;
    }

    Encoder i64(long n) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        buffer.write((int) (n >>> shift));
      }
      return this;
    }

    Encoder list(List<String> values) {
      i32(values.size());
      values.forEach(this::str);
      return this;
    }

    Encoder map(Map<String, String> values) {
      List<byte[][]> pairs = new ArrayList<>();
      values.forEach(
          (k, v) ->
              pairs.add(
                  new byte[][] {
                    k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)
                  }));
      pairs.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
      i32(pairs.size());
      for (byte[][] pair : pairs) {
        bytes(pair[0]).bytes(pair[1]);
      }
      return this;
    }

    byte[] bytes() {
      return buffer.toByteArray();
    }

    private Encoder bytes(byte[] b) {
      i32(b.length);
      buffer.writeBytes(b);
      return this;
    }
  }
}
