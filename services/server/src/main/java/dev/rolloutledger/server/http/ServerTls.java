package dev.rolloutledger.server.http;

import dev.rolloutledger.schemas.tls.SelfSignedCertificate;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.ssl.ServerSslConfiguration;
import io.micronaut.http.ssl.SslConfiguration;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS for the server ({@code LEDGER_TLS=true}, i.e. {@code micronaut.server.ssl.enabled}).
 *
 * <p>Micronaut reads the keystore when the server starts; this listener runs when the SSL settings
 * are created, before Netty binds, and fills them in: with the operator's keystore ({@code
 * LEDGER_TLS_KEYSTORE}, PKCS12 or JKS, and {@code LEDGER_TLS_KEYSTORE_PASSWORD}), checked to open
 * and hold a key, or when none is given with a self-signed certificate kept in {@code
 * ledger.tls.dir} ({@link SelfSignedCertificate}: {@code server.p12}, its password, and {@code
 * server.pem} for clients). The log names the certificate and its SHA-256 fingerprint, never a
 * password. With TLS on, the server listens for HTTPS only, on {@code micronaut.server.ssl.port}
 * (the launcher's HTTP port): no plain port is left open beside it.
 */
@Singleton
public class ServerTls implements BeanCreatedEventListener<ServerSslConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  /** The base name of the self-signed certificate's files in {@code ledger.tls.dir}. */
  public static final String SELF_SIGNED_NAME = "server";

  private final Path dir;
  private final List<String> extraNames;

  public ServerTls(
      @Value("${ledger.tls.dir:.ledger/tls}") String dir,
      @Value("${ledger.tls.names:}") String names,
      @Value("${micronaut.server.host:}") String host) {
    this.dir = Path.of(dir);
    List<String> extra = new ArrayList<>();
    if (!host.isBlank() && !wildcard(host)) {
      extra.add(host.strip());
    }
    for (String name : names.split(",")) {
      if (!name.isBlank()) {
        extra.add(name.strip());
      }
    }
    this.extraNames = Collections.unmodifiableList(extra);
  }

  @Override
  public ServerSslConfiguration onCreated(BeanCreatedEvent<ServerSslConfiguration> event) {
    configure(event.getBean());
    return event.getBean();
  }

  /** Fills the keystore settings of {@code ssl} in when TLS is on; leaves them alone when off. */
  void configure(SslConfiguration ssl) {
    if (!ssl.isEnabled()) {
      return;
    }
    SslConfiguration.KeyStoreConfiguration keyStore = ssl.getKeyStore();
    String given = keyStore.getPath().map(String::strip).orElse("");
    if (given.isEmpty()) {
      useSelfSigned(keyStore);
    } else {
      useOperatorKeystore(keyStore, given, ssl.getKey().getPassword().orElse(null));
    }
  }

  private void useSelfSigned(SslConfiguration.KeyStoreConfiguration keyStore) {
    SelfSignedCertificate.Material tls =
        SelfSignedCertificate.loadOrCreate(dir, SELF_SIGNED_NAME, extraNames);
    keyStore.setPath("file:" + tls.keystore().toAbsolutePath());
    keyStore.setPassword(new String(tls.password()));
    keyStore.setType("PKCS12");
    LOG.info(
        "HTTPS with a self-signed certificate for {} (SHA-256 {}); clients trust {}"
            + " (curl --cacert, LEDGER_CA_CERT). An operator's own: LEDGER_TLS_KEYSTORE",
        SelfSignedCertificate.subjectAlternativeNames(tls.certificate()),
        tls.sha256Fingerprint(),
        tls.certificatePem().toAbsolutePath());
  }

  private static void useOperatorKeystore(
      SslConfiguration.KeyStoreConfiguration keyStore, String given, String keyPassword) {
    String password = keyStore.getPassword().orElse("");
    if (given.startsWith("classpath:")) {
      // packaged with the application: Micronaut reads it as configured
      if (keyStore.getType().filter(t -> !t.isBlank()).isEmpty()) {
        keyStore.setType(given.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
      }
      return;
    }
    Path file = Path.of(given.startsWith("file:") ? given.substring("file:".length()) : given);
    if (!Files.isReadable(file)) {
      throw new ConfigurationException(
          "LEDGER_TLS_KEYSTORE (micronaut.server.ssl.key-store.path) names "
              + file
              + ", which is not a readable file");
    }
    if (password.isEmpty()) {
      throw new ConfigurationException(
          "LEDGER_TLS_KEYSTORE is set, LEDGER_TLS_KEYSTORE_PASSWORD"
              + " (micronaut.server.ssl.key-store.password) is not");
    }
    String type = keyStore.getType().filter(t -> !t.isBlank()).orElse(typeOf(file));
    X509Certificate certificate = serverCertificate(file, type, password, keyPassword);
    keyStore.setPath("file:" + file.toAbsolutePath());
    keyStore.setType(type);
    LOG.info(
        "HTTPS with the certificate of {} for {} (SHA-256 {}, expires {})",
        file.toAbsolutePath(),
        certificate.getSubjectX500Principal().getName(),
        SelfSignedCertificate.fingerprint(certificate),
        certificate.getNotAfter().toInstant());
  }

  /**
   * Opens the keystore now, so a wrong password or an empty store stops the start with a reason.
   */
  private static X509Certificate serverCertificate(
      Path file, String type, String password, String keyPassword) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password.toCharArray());
      char[] keyPass = (keyPassword == null ? password : keyPassword).toCharArray();
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          store.getKey(alias, keyPass); // a wrong key password fails here, not on the first client
          Certificate certificate = store.getCertificate(alias);
          if (certificate instanceof X509Certificate x509) {
            return x509;
          }
        }
      }
      throw new ConfigurationException(
          "LEDGER_TLS_KEYSTORE " + file + " holds no private key with an X.509 certificate");
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigurationException(
          "cannot open LEDGER_TLS_KEYSTORE "
              + file
              + " as "
              + type
              + " with LEDGER_TLS_KEYSTORE_PASSWORD: "
              + e.getMessage(),
          e);
    }
  }

  private static String typeOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jks") ? "JKS" : "PKCS12";
  }

  private static boolean wildcard(String host) {
    return Arrays.asList("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0").contains(host.strip());
  }
}
