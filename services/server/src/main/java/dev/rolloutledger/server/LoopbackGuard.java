package dev.rolloutledger.server;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code /api/v1} asks for tenant tokens, but the registry facade ({@code /registry}) has no
 * authentication yet, so the server refuses to listen on anything but loopback unless {@code
 * ledger.allow-non-loopback=true} says the operator has put something in front of it.
 */
@Context
public class LoopbackGuard {

  public LoopbackGuard(
      @Value("${micronaut.server.host:127.0.0.1}") String host,
      @Value("${ledger.allow-non-loopback:false}") boolean allowNonLoopback) {
    check(host, allowNonLoopback);
  }

  static void check(String host, boolean allowNonLoopback) {
    if (allowNonLoopback) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      loopback = false;
    }
    if (!loopback) {
      throw new ConfigurationException(
          "refusing to listen on "
              + host
              + ": /registry has no authentication yet, so the server binds to loopback only"
              + " (set LEDGER_HTTP_HOST=127.0.0.1, or ledger.allow-non-loopback=true behind your own"
              + " authenticating proxy)");
    }
  }
}
