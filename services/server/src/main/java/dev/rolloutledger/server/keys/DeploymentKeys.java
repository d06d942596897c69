package dev.rolloutledger.server.keys;

import dev.rolloutledger.schemas.commands.CommandSigningKey;
import dev.rolloutledger.schemas.commands.KeySet;
import dev.rolloutledger.schemas.commands.KeySetLog;
import dev.rolloutledger.schemas.commands.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key set per deployment (docs/keys.md). At start, an instance reads {@code ledger.keys}: on a
 * fresh deployment it claims its own key; otherwise it must hold the private half of the active key
 * in its key directory, or it refuses to start and says how to get it. Then it follows the log on a
 * thread of its own: a key activated by {@code ledger keys activate} signs the next command.
 */
public final class DeploymentKeys implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentKeys.class);

  private final SigningKeys signing;
  private final KeySetLog log;
  private final Thread follower;
  private volatile KeySet current;
  private volatile boolean running = true;

  /** Thrown at start when this instance cannot sign for the deployment. */
  public static final class NotTheDeploymentsKey extends IllegalStateException {
    NotTheDeploymentsKey(String message) {
      super(message);
    }
  }

  /** {@code deployment}: the application id every instance of the deployment shares. */
  public DeploymentKeys(Properties clientSettings, String deployment, SigningKeys signing) {
    this.signing = signing;
    this.log = new KeySetLog(clientSettings, deployment);
    KeySet set = log.readToEnd();
    if (set.active().isEmpty()) {
      CommandSigningKey own = signing.own();
      set =
          log.append(
              new KeySet.Entry(
                  own.keyId(),
                  own.publicKeyBase64(),
                  KeySet.Status.ACTIVE,
                  Clock.systemUTC().instant(),
                  true));
    }
    String active = set.active().orElseThrow().keyId();
    if (!signing.use(active)) {
      log.close();
      throw new NotTheDeploymentsKey(
          "this instance does not hold the deployment's active command-signing key "
              + active
              + " (its key directory "
              + signing.dir()
              + " holds "
              + signing.heldIds()
              + "). Every instance of a deployment signs with the same key: copy the key"
              + " directory (LEDGER_HOME/keys, all of it) from a running instance to this one,"
              + " or point LEDGER_KEY_DIR at such a copy, then start again (docs/keys.md).");
    }
    this.current = set;
    LOG.info("commands are signed with the deployment's Ed25519 key {}", active);
    this.follower = new Thread(this::follow, "ledger-keys-follower");
    follower.setDaemon(true);
    follower.start();
  }

  /** What signs: the deployment's active key, as this instance holds it. */
  public SigningKeys signer() {
    return signing;
  }

  /** The deployment's key set as last read. */
  public KeySet current() {
    return current;
  }

  private void follow() {
    while (running) {
      try {
        if (log.poll(Duration.ofMillis(500))) {
          KeySet set = log.current();
          current = set;
          Optional<KeySet.Key> active = set.active();
          if (active.isPresent() && !active.get().keyId().equals(signing.get().keyId())) {
            signing.rescan(); // the key may have been copied in for this rotation
            if (signing.use(active.get().keyId())) {
              LOG.info("commands are now signed with key {}", active.get().keyId());
            } else {
              LOG.error(
                  "the deployment's active signing key is now {}, but {} does not hold it: this"
                      + " instance goes on signing with {}, which agents accept until it is"
                      + " retired. Copy the new key's directory into {} (docs/keys.md)",
                  active.get().keyId(),
                  signing.dir(),
                  signing.get().keyId(),
                  signing.dir());
            }
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("reading ledger.keys failed, retrying: {}", e.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    log.wakeup();
    try {
      follower.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.close();
  }
}
