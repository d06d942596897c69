package dev.rolloutledger.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rolloutledger.schemas.tls.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiClientTrustTest {
  @TempDir Path dir;

  @Test
  void a_handshake_succeeds_with_the_servers_pem_and_fails_with_another() throws Exception {
    SelfSignedCertificate.Material server =
        SelfSignedCertificate.create(dir.resolve("server"), "server", List.of());
    SelfSignedCertificate.Material other =
        SelfSignedCertificate.create(dir.resolve("other"), "server", List.of());
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(server.keystore())) {
      store.load(in, server.password());
    }
    keys.init(store, server.password());
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(keys.getKeyManagers(), null, null);

    try (SSLServerSocket listening =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try (SSLSocket s = (SSLSocket) listening.accept()) {
                    s.startHandshake();
                  } catch (Exception e) {
                    // the refused client's handshake fails here too
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();

      handshake(ApiClient.trusting(server.certificatePem()), listening.getLocalPort());
      assertThatThrownBy(
              () -> handshake(ApiClient.trusting(other.certificatePem()), listening.getLocalPort()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  private static void handshake(SSLContext client, int port) throws Exception {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
    }
  }

  @Test
  void a_file_without_a_certificate_is_refused_naming_it() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "hello");

    assertThatThrownBy(() -> ApiClient.trusting(notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(notPem.toString());
  }

  @Test
  void a_missing_file_is_refused_naming_it() {
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> new ApiClient(URI.create("https://127.0.0.1:1/"), "t", missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void only_http_and_https_servers_are_accepted() {
    assertThatThrownBy(() -> new ApiClient(URI.create("ftp://127.0.0.1/"), "t", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://");
    assertThat(new ApiClient(URI.create("https://127.0.0.1:1/"), "t", null).server().getScheme())
        .isEqualTo("https");
  }
}
