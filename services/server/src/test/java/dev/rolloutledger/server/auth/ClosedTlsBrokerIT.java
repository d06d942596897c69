package dev.rolloutledger.server.auth;

/**
 * {@link ClosedBrokerIT} on SASL_SSL: the server reaches the closed broker over TLS (a self-signed
 * certificate its generated client properties file trusts), end to end.
 */
class ClosedTlsBrokerIT extends ClosedBrokerIT {
  @Override
  boolean tls() {
    return true;
  }
}
