package dev.rolloutledger.infra;

import dev.rolloutledger.infra.EmbeddedKafkaBroker.BrokerStartException;
import dev.rolloutledger.infra.EmbeddedKafkaBroker.NonLoopbackHostException;
import dev.rolloutledger.infra.EmbeddedKafkaBroker.PortInUseException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a broker listens and what it advertises: loopback unless allowed, ports kept or chosen. */
final class BrokerAddresses {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerAddresses.class);

  private BrokerAddresses() {}

  /** Resolves the host and refuses anything but loopback unless explicitly allowed. */
  static String checkHost(BrokerOptions options) {
    String host = options.host();
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new BrokerStartException("cannot resolve host '" + host + "'", e);
    }
    if (!address.isLoopbackAddress() && !options.allowNonLoopback()) {
      throw new NonLoopbackHostException(host, address.getHostAddress());
    }
    return host;
  }

  static String advertisedHost(String bindHost) {
    try {
      if (InetAddress.getByName(bindHost).isAnyLocalAddress()) {
        return InetAddress.getLocalHost().getCanonicalHostName();
      }
    } catch (UnknownHostException e) {
      // fall through: advertise what we bind
    }
    return bindHost;
  }

  /**
   * The address the controller quorum is reached on: the bind address, or loopback for a wildcard.
   */
  static String loopbackFor(String bindHost) {
    try {
      if (InetAddress.getByName(bindHost).isAnyLocalAddress()) {
        return "127.0.0.1";
      }
    } catch (UnknownHostException e) {
      // fall through
    }
    return bindHost;
  }

  static int choosePort(
      String what,
      int requested,
      String persisted,
      String host,
      int taken,
      boolean replaceTakenPersisted,
      Path stateFile) {
    if (requested != 0) {
      if (requested == taken) {
        throw new BrokerStartException(
            what + " " + requested + " is the client port too; use another");
      }
      if (!isFree(host, requested)) {
        throw new PortInUseException(what, host, requested, false, stateFile);
      }
      return requested;
    }
    if (persisted != null && !persisted.isBlank()) {
      int p = Integer.parseInt(persisted.trim());
      if (p != taken && isFree(host, p)) {
        return p;
      }
      if (!replaceTakenPersisted) {
        throw new PortInUseException(what, host, p, true, stateFile);
      }
      LOG.warn("{} {} kept in {} is in use; choosing another", what, p, stateFile);
    }
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(host, 0));
        int p = socket.getLocalPort();
        if (p != taken) {
          return p;
        }
      } catch (IOException e) {
        throw new BrokerStartException("cannot find a free port on " + host + ": " + e, e);
      }
    }
    throw new BrokerStartException("cannot find a free port on " + host);
  }

  /** Same check Kafka's acceptor makes: bind with SO_REUSEADDR (so TIME_WAIT does not count). */
  static boolean isFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }
}
