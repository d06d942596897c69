package dev.rolloutledger.server;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Beyond loopback, bearer tokens and registry writes cross the network: the server listens there
 * only with TLS on ({@code LEDGER_TLS=true}; docs/tls.md), or when {@code
 * ledger.allow-non-loopback=true} says the operator terminates TLS in front of it (a reverse proxy
 * on the same machine). On loopback plain HTTP stays allowed, so local use needs no certificate.
 *
 * <table>
 *   <caption>the decision</caption>
 *   <tr><th>host</th><th>TLS</th><th>allow-non-loopback</th><th>starts</th></tr>
 *   <tr><td>loopback</td><td>any</td><td>any</td><td>yes</td></tr>
 *   <tr><td>other</td><td>on</td><td>any</td><td>yes</td></tr>
 *   <tr><td>other</td><td>off</td><td>true</td><td>yes</td></tr>
 *   <tr><td>other</td><td>off</td><td>false</td><td>no: says why and the ways out</td></tr>
 * </table>
 */
@Context
public class LoopbackGuard {

  public LoopbackGuard(
      @Value("${micronaut.server.host:127.0.0.1}") String host,
      @Value("${micronaut.server.ssl.enabled:false}") boolean tls,
      @Value("${ledger.allow-non-loopback:false}") boolean allowNonLoopback) {
    check(host, tls, allowNonLoopback);
  }

  static void check(String host, boolean tls, boolean allowNonLoopback) {
    if (tls || allowNonLoopback || loopback(host)) {
      return;
    }
    throw new ConfigurationException(
        "refusing to listen on "
            + host
            + " over plain HTTP: beyond loopback, tokens and registry writes would cross the"
            + " network in clear. Turn TLS on (LEDGER_TLS=true, with LEDGER_TLS_KEYSTORE or a"
            + " generated self-signed certificate; docs/tls.md), or listen on loopback"
            + " (LEDGER_HTTP_HOST=127.0.0.1), or set ledger.allow-non-loopback=true when your own"
            + " TLS proxy is in front of the server");
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
