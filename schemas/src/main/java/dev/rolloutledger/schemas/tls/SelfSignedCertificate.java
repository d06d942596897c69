package dev.rolloutledger.schemas.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A self-signed TLS certificate for local use (the HTTP server, the embedded broker), made with the
 * JDK's own {@code keytool} so no certificate library is needed.
 *
 * <p>In a directory it keeps, for a name {@code NAME}:
 *
 * <ul>
 *   <li>{@code NAME.p12}: the PKCS12 keystore with the private key and certificate (mode 0600);
 *   <li>{@code NAME.password}: the password of both stores (mode 0600);
 *   <li>{@code NAME.pem}: the certificate in PEM, what a client trusts ({@code curl --cacert});
 *   <li>{@code NAME-truststore.p12}: the certificate alone in a PKCS12 truststore (same password),
 *       for clients that want a store (Kafka's {@code ssl.truststore.location}).
 * </ul>
 *
 * <p>The certificate names {@code localhost}, {@code 127.0.0.1}, {@code ::1}, this machine's host
 * name and any extra names given (DNS names or IP addresses) as subject alternative names, so a
 * client that verifies the host name accepts it on any of them. {@link #loadOrCreate} reuses what
 * is there (clients keep trusting the same PEM across restarts) unless it expires within 30 days or
 * lacks one of the names asked for.
 */
public final class SelfSignedCertificate {

  /** The alias of the key entry in the keystore (and of the certificate in the truststore). */
  public static final String ALIAS = "ledger";

  static final Duration VALIDITY = Duration.ofDays(825);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** How keytool is given the password: through its environment, never its command line. */
  private static final String PASSWORD_ENV = "LEDGER_KEYTOOL_PASSWORD";

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** What was made (or found): the files and the certificate. */
  public record Material(
      Path keystore,
      Path passwordFile,
      Path certificatePem,
      Path truststore,
      X509Certificate certificate) {

    /** The password of the keystore and the truststore. */
    public char[] password() {
      try {
        return Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + passwordFile, e);
      }
    }

    /** The SHA-256 fingerprint of the certificate, colon-separated upper-case hex (as keytool). */
    public String sha256Fingerprint() {
      return fingerprint(certificate);
    }

    @Override
    public String toString() {
      // never print the password
      return "SelfSignedCertificate.Material[keystore="
          + keystore
          + ", certificatePem="
          + certificatePem
          + ", sha256="
          + sha256Fingerprint()
          + "]";
    }
  }

  private SelfSignedCertificate() {}

  /**
   * The certificate {@code name} in {@code dir}, made on first use (or when the one there expires
   * within 30 days or lacks a name of {@link #subjectNames(List)}).
   */
  public static Material loadOrCreate(Path dir, String name, List<String> extraNames) {
    Material existing = existing(dir, name);
    Set<String> wanted = subjectNames(extraNames);
    if (existing != null && stillGood(existing.certificate(), wanted)) {
      return existing;
    }
    return create(dir, name, extraNames);
  }

  /** A new certificate {@code name} in {@code dir}, replacing any there. */
  public static Material create(Path dir, String name, List<String> extraNames) {
    Set<String> names = subjectNames(extraNames);
    try {
      Files.createDirectories(dir);
      // keytool writes into a private scratch directory; the finished files are moved into place
      Path scratch = Files.createTempDirectory(dir, "." + name + "-");
      restrict(scratch, "rwx------");
      try {
        String password = newPassword();
        Path keystore = scratch.resolve(name + ".p12");
        keytool(
            password,
            "-genkeypair",
            "-alias",
            ALIAS,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-sigalg",
            "SHA256withECDSA",
            "-validity",
            Long.toString(VALIDITY.toDays()),
            "-dname",
            "CN=" + dname(names.iterator().next()) + ", O=Rollout Ledger (self-signed)",
            "-ext",
            "SAN=" + san(names),
            "-ext",
            "EKU=serverAuth,clientAuth",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass:env",
            PASSWORD_ENV,
            "-keypass:env",
            PASSWORD_ENV);
        restrict(keystore, "rw-------");
        Path passwordFile = scratch.resolve(name + ".password");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        restrict(passwordFile, "rw-------");

        X509Certificate certificate = certificateIn(keystore, password.toCharArray());
        Files.writeString(scratch.resolve(name + ".pem"), pem(certificate), StandardCharsets.UTF_8);
        writeTruststore(scratch.resolve(name + "-truststore.p12"), certificate, password);

        // the password last, so a reader never finds a password file that does not open the
        // keystore
        for (String file :
            List.of(name + ".p12", name + ".pem", name + "-truststore.p12", name + ".password")) {
          move(scratch.resolve(file), dir.resolve(file));
        }
        Material made = existing(dir, name);
        if (made == null) {
          throw new IllegalStateException(
              "the certificate made in " + dir + " cannot be read back");
        }
        return made;
      } finally {
        deleteQuietly(scratch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a self-signed certificate in " + dir, e);
    }
  }

  /**
   * The names a certificate is made for: localhost, 127.0.0.1, ::1, this machine's host name, then
   * {@code extraNames} (blank ones ignored), without repeats, in that order.
   */
  public static Set<String> subjectNames(List<String> extraNames) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    String host = localHostName();
    if (host != null) {
      names.add(host);
    }
    for (String extra : extraNames) {
      if (extra != null && !extra.isBlank()) {
        names.add(extra.strip());
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** The subject alternative names of {@code certificate} (DNS names and IP addresses). */
  public static List<String> subjectAlternativeNames(X509Certificate certificate) {
    try {
      List<String> names = new ArrayList<>();
      var entries = certificate.getSubjectAlternativeNames();
      if (entries != null) {
        for (List<?> entry : entries) {
          names.add(String.valueOf(entry.get(1)));
        }
      }
      return names;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("unreadable subject alternative names", e);
    }
  }

  /** The SHA-256 fingerprint of {@code certificate}, colon-separated upper-case hex. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code certificate} as PEM text. */
  public static String pem(X509Certificate certificate) {
    try {
      String body =
          Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded());
      return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void keytool(String password, String... args) throws IOException {
    Path keytool =
        Path.of(System.getProperty("java.home"), "bin", windows() ? "keytool.exe" : "keytool");
    List<String> command = new ArrayList<>();
    command.add(keytool.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // the password goes through the environment, never the command line (visible in ps)
    builder.environment().put(PASSWORD_ENV, password);
    Process process = builder.start();
    process.getOutputStream().close();
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while keytool ran", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "keytool " + args[0] + " failed (exit " + process.exitValue() + "): " + output.strip());
    }
  }

  private static Material existing(Path dir, String name) {
    Path keystore = dir.resolve(name + ".p12");
    Path passwordFile = dir.resolve(name + ".password");
    Path pem = dir.resolve(name + ".pem");
    Path truststore = dir.resolve(name + "-truststore.p12");
    if (!Files.isRegularFile(keystore)
        || !Files.isRegularFile(passwordFile)
        || !Files.isRegularFile(pem)
        || !Files.isRegularFile(truststore)) {
      return null;
    }
    try {
      char[] password =
          Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
      return new Material(
          keystore, passwordFile, pem, truststore, certificateIn(keystore, password));
    } catch (IOException | RuntimeException e) {
      // unreadable or half-written: made again
      return null;
    }
  }

  private static boolean stillGood(X509Certificate certificate, Set<String> wanted) {
    if (certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      return false;
    }
    Set<String> have = new LinkedHashSet<>();
    for (String san : subjectAlternativeNames(certificate)) {
      have.add(canonical(san));
    }
    for (String name : wanted) {
      if (!have.contains(canonical(name))) {
        return false;
      }
    }
    return true;
  }

  private static String canonical(String name) {
    if (isIp(name)) {
      try {
        return InetAddress.getByName(name).getHostAddress();
      } catch (UnknownHostException e) {
        return name;
      }
    }
    return name.toLowerCase(Locale.ROOT);
  }

  private static X509Certificate certificateIn(Path keystore, char[] password) throws IOException {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      if (!(store.getCertificate(ALIAS) instanceof X509Certificate certificate)) {
        throw new IOException(keystore + " has no certificate under the alias " + ALIAS);
      }
      return certificate;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot open " + keystore, e);
    }
  }

  private static void writeTruststore(Path file, X509Certificate certificate, String password)
      throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry(ALIAS, certificate);
      store.store(out, password.toCharArray());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write the truststore " + file, e);
    }
  }

  private static String san(Set<String> names) {
    List<String> parts = new ArrayList<>();
    for (String name : names) {
      parts.add((isIp(name) ? "ip:" : "dns:") + name);
    }
    return String.join(",", parts);
  }

  private static String dname(String name) {
    // a distinguished name value may not carry these unescaped
    return name.replaceAll("([,+\"\\\\<>;=])", "\\\\$1");
  }

  static boolean isIp(String name) {
    return IPV4.matcher(name).matches() || name.contains(":");
  }

  private static String localHostName() {
    try {
      String host = InetAddress.getLocalHost().getHostName();
      return host == null || host.isBlank() || isIp(host) ? null : host;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String newPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void restrict(Path path, String permissions) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    }
  }

  private static void deleteQuietly(Path scratch) {
    try (var files = Files.list(scratch)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(scratch);
    } catch (IOException e) {
      // a left-over scratch directory is private and harmless
    }
  }

  private static boolean windows() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  }
}
