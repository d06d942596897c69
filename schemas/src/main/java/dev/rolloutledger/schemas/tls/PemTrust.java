package dev.rolloutledger.schemas.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust in exactly the certificates of a PEM file (a CA's, or the deployment's self-signed one):
 * what the CLI and the agent check the server against, and what instances check each other against.
 */
public final class PemTrust {
  private PemTrust() {}

  /** An SSL context that trusts exactly the certificates in the PEM file {@code caCert}. */
  public static SSLContext sslContext(Path caCert) {
    try {
      Collection<? extends Certificate> certificates;
      try (InputStream in = Files.newInputStream(caCert)) {
        certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(caCert + " holds no PEM certificate");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the CA certificate file " + caCert + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          caCert + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }
}
