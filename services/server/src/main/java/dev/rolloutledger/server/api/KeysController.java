package dev.rolloutledger.server.api;

import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Permission;
import dev.rolloutledger.server.keys.DeploymentKeys;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * The deployment's public keys that verify commands (never a private one): the active key first,
 * then those still verifying after a rotation (docs/keys.md), the same on every instance. Agents
 * trust the keys of this list they were given and check every command's Ed25519 signature (see
 * {@code CommandSignatures} for the signed encoding).
 */
@Controller("/api/v1/keys")
public class KeysController {
  private final DeploymentKeys keys;

  public KeysController(DeploymentKeys keys) {
    this.keys = keys;
  }

  /** {@code status}: {@code active} (signs) or {@code verifying} (signed before, still valid). */
  @Serdeable
  public record PublicKeyView(String keyId, String algorithm, String publicKey, String status) {}

  @Serdeable
  public record Keys(List<PublicKeyView> keys) {}

  @Get
  @Allowed(Permission.KEYS)
  public Keys keys() {
    return new Keys(
        keys.current().verifying().stream()
            .map(k -> new PublicKeyView(k.keyId(), "Ed25519", k.publicKey(), k.status().wire()))
            .toList());
  }
}
