package dev.rolloutledger.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.agent.ApiClient;
import dev.rolloutledger.schemas.tls.SelfSignedCertificate;
import dev.rolloutledger.server.TestServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/**
 * The real server with an operator's JKS keystore (LEDGER_TLS_KEYSTORE): it serves that
 * certificate, and makes no self-signed one.
 */
class OperatorKeystoreIT {

  @Test
  void serves_the_certificate_of_the_operators_keystore() throws Exception {
    Path dir = Files.createTempDirectory("ledger-it-tls-operator");
    SelfSignedCertificate.Material made =
        SelfSignedCertificate.create(dir.resolve("ca"), "operator", List.of());
    Path jks = dir.resolve("server.jks");
    KeyStore source = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(made.keystore())) {
      source.load(in, made.password());
    }
    KeyStore target = KeyStore.getInstance("JKS");
    target.load(null, null);
    target.setKeyEntry(
        "web",
        source.getKey(SelfSignedCertificate.ALIAS, made.password()),
        "operator-pass".toCharArray(),
        source.getCertificateChain(SelfSignedCertificate.ALIAS));
    try (OutputStream out = Files.newOutputStream(jks)) {
      target.store(out, "operator-pass".toCharArray());
    }

    try (TestServer server =
        new TestServer(
            "it-tls-op-" + UUID.randomUUID(),
            dir.resolve("server"),
            Map.of(
                "micronaut.server.ssl.enabled",
                true,
                "micronaut.server.ssl.port",
                -1,
                "micronaut.server.ssl.key-store.path",
                jks.toString(),
                "micronaut.server.ssl.key-store.password",
                "operator-pass",
                "ledger.tls.dir",
                dir.resolve("tls").toString()))) {
      int port = server.bean(EmbeddedServer.class).getPort();
      HttpClient client =
          HttpClient.newBuilder().sslContext(ApiClient.trusting(made.certificatePem())).build();

      HttpResponse<String> health =
          client.send(
              HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/health"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      SSLSession session = health.sslSession().orElseThrow();
      assertThat((X509Certificate) session.getPeerCertificates()[0]).isEqualTo(made.certificate());
      assertThat(dir.resolve("tls")).doesNotExist();
    }
  }
}
