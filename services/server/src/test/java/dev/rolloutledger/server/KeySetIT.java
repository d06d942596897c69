package dev.rolloutledger.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.commands.KeySet;
import dev.rolloutledger.schemas.commands.KeySetLog;
import dev.rolloutledger.server.auth.Role;
import dev.rolloutledger.server.keys.DeploymentKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One key set per deployment (docs/keys.md), on the real broker: a second instance whose key
 * directory does not hold the deployment's active key refuses to start; a rotation (publish,
 * activate, retire) reaches every running instance without a restart, and GET /api/v1/keys lists
 * the same keys on each.
 */
class KeySetIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anInstanceWithoutTheDeploymentsKeyRefusesToStartAndSaysWhatToDo() throws Exception {
    String app = "it-keys-" + UUID.randomUUID().toString().substring(0, 8);
    Path keysOne = Files.createTempDirectory("ledger-it-keys-one");
    try (TestServer one = server(app, keysOne)) {
      String active = one.bean(DeploymentKeys.class).signer().get().keyId();
      Path keysTwo = Files.createTempDirectory("ledger-it-keys-two"); // a key of its own
      assertThatThrownBy(() -> server(app, keysTwo).close())
          .rootCause()
          .isInstanceOf(DeploymentKeys.NotTheDeploymentsKey.class)
          .hasMessageContaining(active)
          .hasMessageContaining("copy the key directory");
    }
  }

  @Test
  void aRotationReachesEveryInstanceWithoutARestart() throws Exception {
    String app = "it-keys-" + UUID.randomUUID().toString().substring(0, 8);
    Path keysOne = Files.createTempDirectory("ledger-it-keys-one");
    try (TestServer one = server(app, keysOne)) {
      String old = one.bean(DeploymentKeys.class).signer().get().keyId();
      // a second instance provisioned by copying the first one's key directory
      Path keysTwo = Files.createTempDirectory("ledger-it-keys-two");
      copy(keysOne, keysTwo);
      try (TestServer two = server(app, keysTwo)) {
        String token = one.token("ops", Role.VIEWER);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> two.get(token, "/api/v1/keys").statusCode() == 200);
        assertThat(keys(one, token)).containsExactly(old + ":active");
        assertThat(keys(two, token)).containsExactly(old + ":active");

        // the new key is made on one machine and copied to the other
        CommandSigningKey next = CommandSigningKey.loadOrCreate(keysOne.resolve("next"));
        copy(keysOne.resolve("next"), keysTwo.resolve("next"));
        try (KeySetLog log = new KeySetLog(clients(), app)) {
          log.readToEnd();
          log.append(entry(next, KeySet.Status.VERIFYING));
          awaitKeys(token, List.of(old + ":active", next.keyId() + ":verifying"), one, two);
          assertThat(one.bean(DeploymentKeys.class).signer().get().keyId()).isEqualTo(old);

          log.append(entry(next, KeySet.Status.ACTIVE));
          awaitKeys(token, List.of(next.keyId() + ":active", old + ":verifying"), one, two);
          for (TestServer s : List.of(one, two)) {
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () -> s.bean(DeploymentKeys.class).signer().get().keyId().equals(next.keyId()));
          }

          KeySet.Key oldKey = log.current().key(old).orElseThrow();
          log.append(
              new KeySet.Entry(
                  old, oldKey.publicKey(), KeySet.Status.RETIRED, Instant.now(), false));
          awaitKeys(token, List.of(next.keyId() + ":active"), one, two);
        }
      }
    }
  }

  private static void awaitKeys(String token, List<String> expected, TestServer... servers) {
    for (TestServer s : servers) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(keys(s, token)).containsExactlyElementsOf(expected));
    }
  }

  private static List<String> keys(TestServer s, String token) throws Exception {
    JsonNode body = JSON.readTree(s.get(token, "/api/v1/keys").body());
    return Stream.of(body.get("keys"))
        .flatMap(a -> java.util.stream.StreamSupport.stream(a.spliterator(), false))
        .map(k -> k.get("keyId").asText() + ":" + k.get("status").asText())
        .toList();
  }

  private static KeySet.Entry entry(CommandSigningKey key, KeySet.Status status) {
    return new KeySet.Entry(key.keyId(), key.publicKeyBase64(), status, Instant.now(), false);
  }

  private static Properties clients() {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestKafka.bootstrapServers());
    return p;
  }

  private static TestServer server(String app, Path keys) throws Exception {
    return new TestServer(
        app,
        Files.createTempDirectory("ledger-it-keys-state"),
        Map.of("ledger.key-dir", keys.toString()));
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
