package dev.rolloutledger.replay;

import dev.rolloutledger.domain.ClockTick;
import dev.rolloutledger.domain.Heartbeat;
import dev.rolloutledger.domain.LedgerInput;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads the two lines that make up nearly all of a log, a clock tick and a heartbeat without
 * metrics, straight from their bytes, when they are exactly as {@link RolloutLog.Renderer} writes
 * them: {@code {"input":"ClockTick","at":"…"} and {@code
 * {"input":"Heartbeat","tenant":"…","at":"…","host":"…","release":"…","metrics":{}}, every string
 * printable ASCII without quote or backslash. Anything else (another input, metrics, a null
 * release, an escape, a field out of place, a value the domain refuses) is left to the general
 * parser, which reads these lines to the same input and reports what is wrong with the others. The
 * general parser (Jackson, then Avro, then the domain) costs several times the chain's SHA-256 per
 * line, so it bounded replay's reading thread.
 *
 * <p>Not thread-safe: one per reader (it reuses the tenant's and the last release's strings).
 */
final class CommonLines {
  private static final byte[] TICK = ascii("{\"input\":\"ClockTick\",\"at\":\"");
  private static final byte[] BEAT = ascii("{\"input\":\"Heartbeat\",\"tenant\":\"");
  private static final byte[] AT = ascii("\",\"at\":\"");
  private static final byte[] HOST = ascii("\",\"host\":\"");
  private static final byte[] RELEASE = ascii("\",\"release\":\"");
  private static final byte[] NO_METRICS = ascii("\",\"metrics\":{}");

  private final String tenant;
  private final byte[] tenantBytes;
  private String release = "";
  private byte[] releaseBytes = new byte[0];
  private int at; // the parse position
  private java.time.Instant lastInstant;
  private byte[] lastInstantBytes = new byte[24];
  private int lastInstantLength;
  private boolean sameInstant; // the timestamp timeEnd just found is the last one read

  CommonLines(String tenant) {
    this.tenant = tenant;
    this.tenantBytes = tenant == null ? null : tenant.getBytes(StandardCharsets.UTF_8);
  }

  /** The input of {@code body[0, length)} (a line's text before its chain), or null. */
  LedgerInput read(byte[] body, int length) {
    if (tenantBytes == null) {
      return null;
    }
    try {
      if (starts(body, length, 0, TICK)) {
        return tick(body, length);
      }
      if (starts(body, length, 0, BEAT)) {
        return heartbeat(body, length);
      }
      return null;
    } catch (RuntimeException e) {
      return null; // the general parser says what is wrong with it
    }
  }

  private LedgerInput tick(byte[] b, int length) {
    at = TICK.length;
    int end = timeEnd(b, length);
    if (end != length - 1) {
      return null;
    }
    return new ClockTick(tenant, instant(b, TICK.length, end));
  }

  private LedgerInput heartbeat(byte[] b, int length) {
    at = BEAT.length;
    int tenantEnd = string(b, length);
    if (tenantEnd < 0
        || !java.util.Arrays.equals(b, BEAT.length, tenantEnd, tenantBytes, 0, tenantBytes.length)
        || !starts(b, length, tenantEnd, AT)) {
      return null; // another tenant's input: the general path names it
    }
    int atFrom = tenantEnd + AT.length;
    at = atFrom;
    int atEnd = timeEnd(b, length);
    if (atEnd < 0 || !starts(b, length, atEnd, HOST)) {
      return null;
    }
    int hostFrom = atEnd + HOST.length;
    at = hostFrom;
    int hostEnd = string(b, length);
    if (hostEnd < 0 || !starts(b, length, hostEnd, RELEASE)) {
      return null;
    }
    int releaseFrom = hostEnd + RELEASE.length;
    at = releaseFrom;
    int releaseEnd = string(b, length);
    if (releaseEnd < 0
        || !starts(b, length, releaseEnd, NO_METRICS)
        || releaseEnd + NO_METRICS.length != length) {
      return null;
    }
    if (!java.util.Arrays.equals(
        b, releaseFrom, releaseEnd, releaseBytes, 0, releaseBytes.length)) {
      releaseBytes = java.util.Arrays.copyOfRange(b, releaseFrom, releaseEnd);
      release = new String(releaseBytes, StandardCharsets.US_ASCII);
    }
    return new Heartbeat(
        tenant,
        instant(b, atFrom, atEnd),
        new String(b, hostFrom, hostEnd - hostFrom, StandardCharsets.US_ASCII),
        release,
        Map.of());
  }

  /**
   * From {@code at}, the end of a timestamp string, as {@link #string}: when it holds the last
   * timestamp read (checked, so plain) and a quote follows, that is its end without a scan.
   */
  private int timeEnd(byte[] b, int length) {
    int end = at + lastInstantLength;
    if (lastInstant != null
        && end < length
        && b[end] == '"'
        && java.util.Arrays.equals(b, at, end, lastInstantBytes, 0, lastInstantLength)) {
      sameInstant = true;
      return end;
    }
    sameInstant = false;
    return string(b, length);
  }

  /** From {@code at}, the end (index of the closing quote) of a plain string, or -1. */
  private int string(byte[] b, int length) {
    for (int i = at; i < length; i++) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The instant of {@code b[from, to)}, the timestamp {@link #timeEnd} just delimited. Lines of one
   * second follow each other (every heartbeat of that second, then its tick), so the last text read
   * and its instant are kept and reused when the bytes are the same.
   */
  private java.time.Instant instant(byte[] b, int from, int to) {
    if (sameInstant) {
      return lastInstant; // timeEnd found these bytes equal to the last timestamp's
    }
    int n = to - from;
    java.time.Instant parsed =
        AvroJson.instant(new String(b, from, n, StandardCharsets.US_ASCII), "at");
    if (n > lastInstantBytes.length) {
      lastInstantBytes = new byte[n];
    }
    System.arraycopy(b, from, lastInstantBytes, 0, n);
    lastInstantLength = n;
    lastInstant = parsed;
    return parsed;
  }

  private static boolean starts(byte[] b, int length, int from, byte[] prefix) {
    if (from < 0 || from + prefix.length > length) {
      return false;
    }
    return java.util.Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
