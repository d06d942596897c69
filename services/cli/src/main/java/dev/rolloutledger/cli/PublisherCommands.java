package dev.rolloutledger.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.domain.PublisherSignatures;
import dev.rolloutledger.domain.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The publisher's side of trusted releases (docs/publishers.md): {@code ledger release keygen}
 * makes a publisher's Ed25519 key pair, {@code ledger release sign} signs a release offline and
 * writes the body that {@code ledger release publish --signed} sends. Neither needs a server: a
 * vendor signs on its own machine, and gives fleet owners only its public key.
 */
final class PublisherCommands {
  private PublisherCommands() {}

  static final String PRIVATE_KEY = "publisher.pk8";
  static final String PUBLIC_KEY = "publisher.pub";

  @Command(
      name = "keygen",
      description =
          "Make a publisher's Ed25519 key pair in DIR: publisher.pk8 (private, mode 600; keep it"
              + " offline) and publisher.pub (the public key that fleet owners list as a trusted"
              + " publisher).")
  static final class Keygen implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A new or empty directory.")
    Path dir;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Path priv = dir.resolve(PRIVATE_KEY);
      Path pub = dir.resolve(PUBLIC_KEY);
      if (Files.exists(priv) || Files.exists(pub)) {
        throw new LedgerCli.UsageProblem(dir + " already holds a publisher key: not replaced");
      }
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      String publicKey = PublisherSignatures.base64(pair.getPublic());
      try {
        Files.createDirectories(dir);
        Files.createFile(
            priv,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(priv, pair.getPrivate().getEncoded());
        Files.writeString(pub, publicKey + "\n");
      } catch (FileAlreadyExistsException e) {
        throw new LedgerCli.UsageProblem(dir + " already holds a publisher key: not replaced");
      } catch (IOException e) {
        throw new LedgerCli.UsageProblem(dir + ": cannot write the key (" + e.getMessage() + ")");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("key id      " + PublisherSignatures.keyId(pair.getPublic()));
      out.println("public key  " + publicKey);
      out.println("private key " + priv + " (keep it offline; never give it away)");
      out.println(
          "fleet owners trust it with: ledger policy set --trusted-publisher NAME=" + publicKey);
      return 0;
    }
  }

  @Command(
      name = "sign",
      description =
          "Sign a release with a publisher's private key, offline: prints the signed release"
              + " (JSON) that `ledger release publish --signed FILE` sends. The signature covers"
              + " release, artifact, version, SHA-256 and severity.")
  static final class Sign implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RELEASE", description = "Release id.")
    String release;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "DIR",
        description = "The publisher's key directory (from `ledger release keygen`).")
    Path key;

    @Mixin ReleaseFields fields;

    @Option(
        names = "--publisher",
        description =
            "A name to send along (not signed, not used: owners name the key in their policy).")
    String publisher;

    @Option(names = "--out", paramLabel = "FILE", description = "Write it here, not to stdout.")
    Path out;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String digest = fields.digest();
      String artifact = fields.artifact;
      String v = fields.version(release);
      Severity severity = fields.severity();
      PrivateKey privateKey = privateKey(key.resolve(PRIVATE_KEY));
      String publicKey = Files2.read(key.resolve(PUBLIC_KEY)).strip();
      String signature;
      try {
        signature = PublisherSignatures.sign(privateKey, release, artifact, v, digest, severity);
        // the two files of DIR belong together: what the owner trusts must verify what is signed
        if (!PublisherSignatures.verifies(
            PublisherSignatures.publicKey("publisherKey", publicKey),
            PublisherSignatures.message(release, artifact, v, digest, severity),
            signature)) {
          throw new LedgerCli.UsageProblem(
              key + ": " + PUBLIC_KEY + " is not the public half of " + PRIVATE_KEY);
        }
      } catch (InvalidFieldException e) {
        throw new LedgerCli.UsageProblem(key + ": " + e.getMessage());
      }
      ObjectNode body = Api.JSON.createObjectNode();
      body.put("release", release);
      body.put("artifact", artifact);
      body.put("version", v);
      body.put("sha256", digest.toLowerCase(java.util.Locale.ROOT));
      body.put("severity", severity.name());
      if (publisher != null) {
        body.put("publisher", publisher);
      }
      body.put("publisherKey", publicKey);
      body.put("signature", signature);
      String json = Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n";
      if (out == null) {
        spec.commandLine().getOut().print(json);
        spec.commandLine().getOut().flush();
      } else {
        try {
          Files.writeString(out, json);
        } catch (IOException e) {
          throw new LedgerCli.UsageProblem(out + ": cannot be written (" + e.getMessage() + ")");
        }
        spec.commandLine()
            .getErr()
            .println(
                "signed "
                    + release
                    + " with key "
                    + PublisherSignatures.keyId(publicKey)
                    + ": "
                    + out);
      }
      return 0;
    }
  }

  static PrivateKey privateKey(Path file) {
    byte[] der;
    try {
      der = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new LedgerCli.UsageProblem(file + ": no such file");
    } catch (IOException e) {
      throw new LedgerCli.UsageProblem(file + ": cannot be read (" + e.getMessage() + ")");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new LedgerCli.UsageProblem(
          file + " is not an Ed25519 private key (PKCS#8), as `ledger release keygen` makes");
    }
  }
}
