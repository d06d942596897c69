package dev.rolloutledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.schemas.tls.SelfSignedCertificate;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.ssl.ServerSslConfiguration;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  @TempDir Path dir;

  private ServerTls tls(String host) {
    return new ServerTls(dir.resolve("tls").toString(), "ledger.example.test, 10.0.0.5", host);
  }

  private static ServerSslConfiguration ssl(boolean enabled) {
    ServerSslConfiguration ssl = new ServerSslConfiguration();
    ssl.setEnabled(enabled);
    return ssl;
  }

  @Nested
  class Without_a_keystore {
    @Test
    void tls_off_makes_nothing_and_sets_nothing() {
      ServerSslConfiguration ssl = ssl(false);

      tls("127.0.0.1").configure(ssl);

      assertThat(ssl.getKeyStore().getPath()).isEmpty();
      assertThat(dir.resolve("tls")).doesNotExist();
    }

    @Test
    void tls_on_uses_a_self_signed_certificate_for_the_host_and_the_extra_names() {
      ServerSslConfiguration ssl = ssl(true);

      tls("ledger-1.example.test").configure(ssl);

      Path keystore = dir.resolve("tls/server.p12").toAbsolutePath();
      assertThat(ssl.getKeyStore().getPath()).hasValue("file:" + keystore);
      assertThat(ssl.getKeyStore().getType()).hasValue("PKCS12");
      SelfSignedCertificate.Material made =
          SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), "server", List.of());
      assertThat(ssl.getKeyStore().getPassword()).hasValue(new String(made.password()));
      assertThat(SelfSignedCertificate.subjectAlternativeNames(made.certificate()))
          .contains("ledger-1.example.test", "ledger.example.test", "10.0.0.5", "localhost");
    }

    @Test
    void a_wildcard_host_is_not_a_name_of_the_certificate() {
      ServerSslConfiguration ssl = ssl(true);

      tls("0.0.0.0").configure(ssl);

      SelfSignedCertificate.Material made =
          SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), "server", List.of());
      assertThat(SelfSignedCertificate.subjectAlternativeNames(made.certificate()))
          .doesNotContain("0.0.0.0");
    }
  }

  @Nested
  class With_the_operators_keystore {
    private Path operatorStore(String type, String file, String password) throws Exception {
      SelfSignedCertificate.Material made =
          SelfSignedCertificate.create(dir.resolve("made"), "op", List.of());
      KeyStore source = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(made.keystore())) {
        source.load(in, made.password());
      }
      Key key = source.getKey(SelfSignedCertificate.ALIAS, made.password());
      Certificate[] chain = source.getCertificateChain(SelfSignedCertificate.ALIAS);
      KeyStore target = KeyStore.getInstance(type);
      target.load(null, null);
      target.setKeyEntry("operator", key, password.toCharArray(), chain);
      Path path = dir.resolve(file);
      try (OutputStream out = Files.newOutputStream(path)) {
        target.store(out, password.toCharArray());
      }
      return path;
    }

    @Test
    void a_jks_store_with_its_password_is_used_as_jks() throws Exception {
      Path store = operatorStore("JKS", "server.jks", "s3cret-pass");
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath(store.toString());
      ssl.getKeyStore().setPassword("s3cret-pass");

      tls("127.0.0.1").configure(ssl);

      assertThat(ssl.getKeyStore().getPath()).hasValue("file:" + store.toAbsolutePath());
      assertThat(ssl.getKeyStore().getType()).hasValue("JKS");
      assertThat(dir.resolve("tls")).doesNotExist();
    }

    @Test
    void a_pkcs12_store_given_as_a_file_url_is_used_as_pkcs12() throws Exception {
      Path store = operatorStore("PKCS12", "server.p12", "s3cret-pass");
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath("file:" + store);
      ssl.getKeyStore().setPassword("s3cret-pass");

      tls("127.0.0.1").configure(ssl);

      assertThat(ssl.getKeyStore().getType()).hasValue("PKCS12");
    }

    @Test
    void a_wrong_password_stops_the_start_naming_the_setting_not_the_password() throws Exception {
      Path store = operatorStore("PKCS12", "server.p12", "s3cret-pass");
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath(store.toString());
      ssl.getKeyStore().setPassword("wrong-pass");

      assertThatThrownBy(() -> tls("127.0.0.1").configure(ssl))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("LEDGER_TLS_KEYSTORE_PASSWORD")
          .hasMessageContaining(store.toString())
          .hasMessageNotContaining("wrong-pass");
    }

    @Test
    void a_missing_password_stops_the_start() throws Exception {
      Path store = operatorStore("PKCS12", "server.p12", "s3cret-pass");
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath(store.toString());

      assertThatThrownBy(() -> tls("127.0.0.1").configure(ssl))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("LEDGER_TLS_KEYSTORE_PASSWORD");
    }

    @Test
    void a_missing_file_stops_the_start_naming_it() {
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath(dir.resolve("nope.p12").toString());
      ssl.getKeyStore().setPassword("x");

      assertThatThrownBy(() -> tls("127.0.0.1").configure(ssl))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("nope.p12");
    }

    @Test
    void a_store_without_a_private_key_stops_the_start() throws Exception {
      SelfSignedCertificate.Material made =
          SelfSignedCertificate.create(dir.resolve("made"), "op", List.of());
      ServerSslConfiguration ssl = ssl(true);
      ssl.getKeyStore().setPath(made.truststore().toString());
      ssl.getKeyStore().setPassword(new String(made.password()));

      assertThatThrownBy(() -> tls("127.0.0.1").configure(ssl))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("no private key");
    }
  }
}
