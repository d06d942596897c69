package dev.rolloutledger.server.metrics;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A network in CIDR notation ({@code 10.0.0.0/8}, {@code 127.0.0.1/32}, {@code fd00::/8}); a bare
 * address is its own /32 or /128. Only literal addresses: a name is refused, never looked up.
 */
public record Cidr(byte[] network, int prefix) {
  private static final Pattern LITERAL =
      Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

  /** Parses one CIDR; an {@link IllegalArgumentException} says what is wrong with it. */
  public static Cidr parse(String text) {
    String t = text.strip();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (address.isEmpty() || !LITERAL.matcher(address).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a network such as 10.0.0.0/8 or 127.0.0.1/32");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
    }
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': the prefix length is not a number", e);
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException(
          "'" + text + "': the prefix length must be in [0," + max + "]");
    }
    return new Cidr(mask(bytes, prefix), prefix);
  }

  /** Every entry of {@code texts} that is not blank. */
  public static List<Cidr> parseAll(List<String> texts) {
    List<Cidr> out = new ArrayList<>();
    for (String t : texts) {
      for (String part : t.split(",")) {
        if (!part.isBlank()) {
          out.add(parse(part));
        }
      }
    }
    return out;
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false; // an IPv4 network never holds an IPv6 peer, nor the reverse
    }
    return java.util.Arrays.equals(mask(bytes, prefix), network);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    int bits = bytes.length * 8;
    BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    BigInteger keep = all.shiftRight(prefix).xor(all);
    byte[] masked = new BigInteger(1, bytes).and(keep).toByteArray();
    byte[] out = new byte[bytes.length];
    int copy = Math.min(masked.length, out.length);
    System.arraycopy(masked, masked.length - copy, out, out.length - copy, copy);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && prefix == c.prefix && java.util.Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
