package dev.rolloutledger.schemas.commands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The private keys this instance holds and the one it signs with. A key directory holds this
 * instance's first key ({@code command-signing.pk8}, made on a fresh directory) and any key copied
 * in for a rotation, each in a subdirectory of its own ({@code keys/next/command-signing.pk8}, as
 * {@code ledger keys generate} writes it). Which of them signs is the deployment's decision ({@link
 * KeySet}): {@link #use} switches, between two commands, never within one.
 */
public final class SigningKeys implements Supplier<CommandSigningKey> {
  private final Path dir;
  private final Map<String, CommandSigningKey> held = new LinkedHashMap<>();
  private final CommandSigningKey own;
  private volatile CommandSigningKey signing;

  private SigningKeys(Path dir, CommandSigningKey own) {
    this.dir = dir;
    this.own = own;
    this.signing = own;
    held.put(own.keyId(), own);
  }

  /** The keys in {@code dir}; its own key is made there on first use. */
  public static SigningKeys load(Path dir) {
    SigningKeys keys = new SigningKeys(dir, CommandSigningKey.loadOrCreate(dir));
    keys.rescan();
    return keys;
  }

  /** Held keys only, no files (tests). */
  public static SigningKeys of(CommandSigningKey key) {
    return new SigningKeys(null, key);
  }

  /** Looks again for keys copied into subdirectories since the last look. */
  public synchronized void rescan() {
    if (dir == null) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      children
          .filter(p -> Files.isRegularFile(p.resolve("command-signing.pk8")))
          .forEach(
              p -> {
                CommandSigningKey k = CommandSigningKey.loadOrCreate(p);
                held.putIfAbsent(k.keyId(), k);
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the key directory " + dir, e);
    }
  }

  /** The key made for this instance's directory: what it claims on a fresh deployment. */
  public CommandSigningKey own() {
    return own;
  }

  public synchronized Optional<CommandSigningKey> held(String keyId) {
    return Optional.ofNullable(held.get(keyId));
  }

  public synchronized java.util.Set<String> heldIds() {
    return java.util.Set.copyOf(held.keySet());
  }

  /** Signs with {@code keyId} from now on; false (and no change) if this instance lacks it. */
  public boolean use(String keyId) {
    Optional<CommandSigningKey> k = held(keyId);
    k.ifPresent(key -> signing = key);
    return k.isPresent();
  }

  /** The key that signs now. */
  @Override
  public CommandSigningKey get() {
    return signing;
  }

  public Path dir() {
    return dir;
  }
}
