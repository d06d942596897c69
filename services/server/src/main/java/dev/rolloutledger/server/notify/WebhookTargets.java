package dev.rolloutledger.server.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Which hosts a webhook may be sent to (a tenant's operator chooses the URL, the server sends it
 * from its own network): never a link-local address (169.254.0.0/16, fe80::/10: cloud metadata
 * services answer there), and a loopback, unspecified or private address (127.0.0.0/8, ::1,
 * 0.0.0.0/8, ::, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7) only when
 * {@value #ALLOW_PRIVATE} is true. A host name is judged by every address it resolves to: when the
 * list is set and again before each attempt (docs/notifications.md says what that leaves open).
 */
public final class WebhookTargets {
  /** The setting that lets webhooks reach this machine and private networks. */
  public static final String ALLOW_PRIVATE = "ledger.notifications.allow-private-targets";

  /** Its environment variable, as application.yml reads it. */
  static final String ALLOW_PRIVATE_ENV = "LEDGER_NOTIFICATIONS_ALLOW_PRIVATE_TARGETS";

  /** A host's addresses; throws when it has none. */
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** An attempt not made: the URL's host is an address webhooks may not reach. */
  static final class RefusedTarget extends RuntimeException {
    RefusedTarget(String reason) {
      super(reason, null, false, false);
    }
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  public WebhookTargets(boolean allowPrivate) {
    this(allowPrivate, InetAddress::getAllByName);
  }

  WebhookTargets(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /**
   * Why {@code url} may not be sent to, naming its host and the address at fault (never the path:
   * it may be a secret); empty when it may, or when its host does not resolve now (an attempt then
   * fails to connect, and is retried).
   */
  Optional<String> refusal(URI url) {
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
    for (InetAddress a : addresses) {
      String kind = kind(a);
      if (kind == null) {
        continue;
      }
      String at =
          url.getHost().equals(a.getHostAddress()) || host.equals(a.getHostAddress())
              ? host + " is"
              : host + " resolves to " + a.getHostAddress() + ",";
      if (kind.equals(LINK_LOCAL) || kind.equals(METADATA)) {
        return Optional.of(at + " a " + kind + " address: never a webhook's target");
      }
      if (!allowPrivate) {
        return Optional.of(
            at
                + " a "
                + kind
                + " address: webhooks reach this machine and private networks only when the"
                + " server is started with "
                + ALLOW_PRIVATE
                + "=true ("
                + ALLOW_PRIVATE_ENV
                + ")");
      }
    }
    return Optional.empty();
  }

  private static final String LINK_LOCAL = "link-local";

  /**
   * A cloud's instance metadata service outside link-local space (Alibaba's 100.100.100.200, AWS's
   * IPv6 fd00:ec2::254): refused even where private targets are allowed.
   */
  private static final String METADATA = "cloud metadata";

  private static final byte[] ALIBABA_METADATA = {100, 100, 100, (byte) 200};
  private static final byte[] AWS_METADATA_V6 = {
    (byte) 0xfd, 0, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54
  };

  /** What {@code a} is, when it is not a public address; null when it is. */
  static String kind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    // an IPv6 address that carries an IPv4 one is judged as that IPv4 address: ::a.b.c.d (not ::1
    // nor ::, above), NAT64's 64:ff9b::a.b.c.d and 6to4's 2002:aabb:ccdd::/48
    if (a instanceof Inet6Address six) {
      byte[] v6 = six.getAddress();
      if (java.util.Arrays.equals(v6, AWS_METADATA_V6)) {
        return METADATA;
      }
      int from = -1;
      if (six.isIPv4CompatibleAddress() || nat64(v6)) {
        from = 12;
      } else if (v6[0] == 0x20 && v6[1] == 0x02) {
        from = 2;
      }
      if (from >= 0) {
        try {
          a =
              InetAddress.getByAddress(
                  new byte[] {v6[from], v6[from + 1], v6[from + 2], v6[from + 3]});
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // four bytes are always an address
        }
      }
    }
    byte[] b = a.getAddress();
    if (java.util.Arrays.equals(b, ALIBABA_METADATA)) {
      return METADATA;
    }
    if (a.isLinkLocalAddress()) {
      return LINK_LOCAL;
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isAnyLocalAddress() || a instanceof Inet4Address && b[0] == 0) {
      return "unspecified";
    }
    boolean shared = a instanceof Inet4Address && b[0] == 100 && (b[1] & 0xC0) == 64;
    boolean uniqueLocal = a instanceof Inet6Address && (b[0] & 0xFE) == 0xFC;
    if (a.isSiteLocalAddress() || shared || uniqueLocal) {
      return "private";
    }
    return null;
  }

  /** 64:ff9b::/96, the NAT64 well-known prefix. */
  private static boolean nat64(byte[] v6) {
    byte[] prefix = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    return java.util.Arrays.equals(v6, 0, 12, prefix, 0, 12);
  }
}
