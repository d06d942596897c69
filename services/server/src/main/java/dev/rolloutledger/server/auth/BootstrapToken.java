package dev.rolloutledger.server.auth;

import dev.rolloutledger.server.auth.TokenRegistry.Issued;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin token of a fresh install. On a start that finds no token of {@code
 * ledger.auth.bootstrap-tenant}, the server makes an admin token for that tenant and writes its
 * secret to {@code ledger.auth.bootstrap-token-file}, readable by the server's user only: whoever
 * can read the server's data directory is trusted already. The log names the file, never the
 * secret. The file is written before the token is stored, so a failed write leaves no token that
 * nobody holds (the next start tries again). The name carries a random suffix so that two instances
 * starting at once on an empty install each get a working token instead of overwriting each other.
 */
@Context
public class BootstrapToken {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapToken.class);

  public BootstrapToken(
      TokenStore tokens,
      @Value("${ledger.auth.bootstrap-tenant:}") String tenant,
      @Value("${ledger.auth.bootstrap-token-file:.ledger/bootstrap-admin.token}") String file) {
    if (tenant.isBlank() || !tokens.list(tenant).isEmpty()) {
      return;
    }
    byte[] suffix = new byte[3];
    new SecureRandom().nextBytes(suffix);
    String name = "bootstrap-admin-" + HexFormat.of().formatHex(suffix);
    Issued issued = tokens.issue(tenant, name, Role.ADMIN, null);
    Path path = Path.of(file).toAbsolutePath();
    writeOwnerOnly(path, issued.secret() + "\n");
    tokens.save(issued.token());
    LOG.info("first admin token of tenant {} ({}) written to {}", tenant, name, path);
  }

  static void writeOwnerOnly(Path path, String content) {
    try {
      Files.createDirectories(path.getParent());
      Files.deleteIfExists(path); // permissions apply only to a file being created
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(path, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the first admin token to " + path, e);
    }
  }
}
