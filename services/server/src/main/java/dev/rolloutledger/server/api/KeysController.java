package dev.rolloutledger.server.api;

import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.server.auth.Allowed;
import dev.rolloutledger.server.auth.Permission;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * The public keys that verify commands (never the private one). Agents pin the key id and check
 * every command's Ed25519 signature (see {@code CommandSignatures} for the signed encoding).
 */
@Controller("/api/v1/keys")
public class KeysController {
  private final CommandSigningKey key;

  public KeysController(CommandSigningKey key) {
    this.key = key;
  }

  @Serdeable
  public record PublicKeyView(String keyId, String algorithm, String publicKey) {}

  @Serdeable
  public record Keys(List<PublicKeyView> keys) {}

  @Get
  @Allowed(Permission.KEYS)
  public Keys keys() {
    return new Keys(List.of(new PublicKeyView(key.keyId(), "Ed25519", key.publicKeyBase64())));
  }
}
