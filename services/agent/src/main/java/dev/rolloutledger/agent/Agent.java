package dev.rolloutledger.agent;

import dev.rolloutledger.schemas.commands.CommandSignatures;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision core of a host agent, free of any transport: commands come in from a long poll, a
 * server-sent stream or the commands topic, and each one is checked before anything else happens.
 *
 * <ol>
 *   <li>Its key id is one the agent trusts and the Ed25519 signature verifies over every field
 *       ({@link CommandSignatures}), so nothing in it was forged or changed on the way.
 *   <li>It is for this agent's tenant and host, has not expired and was not issued beyond the
 *       tolerated clock skew in the future.
 *   <li>Its seq is above the last seq the agent persisted: a replayed or older command is refused.
 * </ol>
 *
 * A refused command changes nothing, in memory or on disk. An accepted one acts in seq order:
 * commands arriving out of order wait until the ones before them have come ({@link #offer}), or
 * until the transport says it has delivered all it has ({@link #settle}). The new seq is persisted
 * before the agent acts, so a command acts at most once even across a crash; an Apply installs the
 * release only once its artifact matches the command's SHA-256, and its result is reported as
 * UpdateApplied. Without a verified command the agent does nothing: it holds.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** How far in the future a command's issuedAt may be: the clocks of server and host differ. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** Accepted commands waiting for an earlier seq; more than this and the oldest wait is ended. */
  static final int MAX_PENDING = 1024;

  /** What happened to one offered command. */
  public record Outcome(long seq, String action, Kind kind, Rejection rejection, String detail) {
    public enum Kind {
      /** Acted on (installed, held, rolled back, or tried and reported failure). */
      ACTED,
      /** Verified; waits for the commands before it. */
      PENDING,
      /** Refused: nothing changed. */
      REJECTED,
      /** Verified, but expired while it waited; skipped without acting. */
      SKIPPED
    }

    static Outcome rejected(CommandSignatures.Fields c, Rejection why, String detail) {
      return new Outcome(c.seq(), c.action(), Kind.REJECTED, why, detail);
    }
  }

  private final String tenant;
  private final String host;
  private final TrustedKeys keys;
  private final StateFile stateFile;
  private final Installer installer;
  private final TelemetrySink telemetry;
  private final Clock clock;
  private final TreeMap<Long, CommandSignatures.Fields> pending = new TreeMap<>();
  private final AutoCloseable lock;
  private AgentState state;

  public Agent(
      String tenant,
      String host,
      TrustedKeys keys,
      StateFile stateFile,
      Installer installer,
      TelemetrySink telemetry,
      Clock clock) {
    this.tenant = tenant;
    this.host = host;
    this.keys = keys;
    this.stateFile = stateFile;
    this.installer = installer;
    this.telemetry = telemetry;
    this.clock = clock;
    this.lock = stateFile.lock();
    AgentState loaded = stateFile.load(tenant, host);
    if (loaded.inProgress() != null) {
      // stopped while acting: the seq is spent (never acted twice); say what was cut short
      LOG.warn(
          "command {} was cut short by a stop; {} stays installed",
          loaded.inProgress(),
          loaded.installed());
      loaded = loaded.done();
      stateFile.save(loaded);
    }
    this.state = loaded;
  }

  public synchronized AgentState state() {
    return state;
  }

  /** Seqs of verified commands waiting for earlier ones. */
  public synchronized List<Long> pendingSeqs() {
    return List.copyOf(pending.keySet());
  }

  /** Checks one command; acts on it, and on every pending one it unblocks, if its turn has come. */
  public synchronized List<Outcome> offer(CommandSignatures.Fields c) {
    Optional<Outcome> refused = check(c);
    if (refused.isPresent()) {
      LOG.warn(
          "refused command seq {} ({}): {} {}",
          c.seq(),
          c.action(),
          refused.get().rejection(),
          refused.get().detail());
      return List.of(refused.get());
    }
    if (pending.containsKey(c.seq())) {
      return List.of(Outcome.rejected(c, Rejection.DUPLICATE, "already waiting"));
    }
    pending.put(c.seq(), c);
    List<Outcome> out = new ArrayList<>();
    if (c.seq() != state.lastSeq() + 1) {
      out.add(new Outcome(c.seq(), c.action(), Outcome.Kind.PENDING, null, "waits for earlier"));
      if (pending.size() > MAX_PENDING) {
        out.addAll(settle()); // a gap that never fills must not grow memory without bound
      }
      return out;
    }
    while (!pending.isEmpty() && pending.firstKey() == state.lastSeq() + 1) {
      out.add(act(pending.pollFirstEntry().getValue()));
    }
    return out;
  }

  /**
   * The transport has delivered everything it has: act on the waiting commands in seq order, across
   * gaps (an earlier command the server no longer holds cannot come any more).
   */
  public synchronized List<Outcome> settle() {
    List<Outcome> out = new ArrayList<>();
    while (!pending.isEmpty()) {
      CommandSignatures.Fields next = pending.pollFirstEntry().getValue();
      if (next.seq() > state.lastSeq()) {
        out.add(act(next));
      }
    }
    return out;
  }

  private Optional<Outcome> check(CommandSignatures.Fields c) {
    if (c.action() == null
        || c.tenant() == null
        || c.host() == null
        || c.release() == null
        || c.issuedAt() == null
        || c.expiresAt() == null
        || c.commandId() == null
        || c.rollout() == null) {
      return Optional.of(Outcome.rejected(c, Rejection.MALFORMED, "a field is missing"));
    }
    Optional<PublicKey> key = keys.get(c.keyId());
    if (key.isEmpty()) {
      return Optional.of(
          Outcome.rejected(c, Rejection.UNKNOWN_KEY, "key id " + c.keyId() + " is not trusted"));
    }
    if (c.signature() == null || !CommandSignatures.verify(c, key.get())) {
      return Optional.of(Outcome.rejected(c, Rejection.BAD_SIGNATURE, "signature does not verify"));
    }
    if (!tenant.equals(c.tenant())) {
      return Optional.of(Outcome.rejected(c, Rejection.WRONG_TENANT, "for tenant " + c.tenant()));
    }
    if (!host.equals(c.host())) {
      return Optional.of(Outcome.rejected(c, Rejection.WRONG_HOST, "for host " + c.host()));
    }
    Instant now = clock.instant();
    if (!now.isBefore(c.expiresAt())) {
      return Optional.of(Outcome.rejected(c, Rejection.EXPIRED, "expired at " + c.expiresAt()));
    }
    if (c.issuedAt().isAfter(now.plus(CLOCK_SKEW))) {
      return Optional.of(
          Outcome.rejected(c, Rejection.NOT_YET_VALID, "issued at " + c.issuedAt() + ", ahead"));
    }
    if (c.seq() <= state.lastSeq()) {
      return Optional.of(
          Outcome.rejected(
              c, Rejection.REPLAYED, "seq " + c.seq() + " <= last acted " + state.lastSeq()));
    }
    return Optional.empty();
  }

  private Outcome act(CommandSignatures.Fields c) {
    if (!clock.instant().isBefore(c.expiresAt())) {
      // verified when it came, expired while it waited for an earlier seq: never act on it late
      save(state.accepted(c.seq(), c.rollout(), null));
      return new Outcome(c.seq(), c.action(), Outcome.Kind.SKIPPED, Rejection.EXPIRED, "expired");
    }
    // persist first: after a crash this seq is spent, so the command never acts twice
    save(state.accepted(c.seq(), c.rollout(), c.commandId()));
    String detail;
    switch (c.action()) {
      case "Apply" -> {
        try {
          installer.apply(c.release(), c.sha256());
          save(state.installed(c.release()));
          telemetry.applied(c.release(), true, null);
          detail = "installed " + c.release();
        } catch (Installer.InstallException e) {
          save(state.done());
          telemetry.applied(c.release(), false, e.getMessage());
          detail = "not installed: " + e.getMessage();
        }
      }
      case "Hold" -> {
        save(state.holding(true));
        detail = "holding at " + state.installed();
      }
      case "Rollback" -> {
        if (!c.release().equals(state.installed())) {
          save(state.done()); // a rollback of a release this host does not run changes nothing
          detail = c.release() + " is not installed here (" + state.installed() + " is)";
        } else if (state.previous() == null) {
          save(state.done());
          detail = "nothing to roll back to";
        } else {
          try {
            installer.rollback(state.previous());
            save(state.rolledBack());
            detail = "rolled back to " + state.installed();
          } catch (Installer.InstallException e) {
            save(state.done());
            detail = "not rolled back: " + e.getMessage();
          }
        }
      }
      default -> throw new IllegalStateException("unchecked action " + c.action());
    }
    LOG.info("seq {} {} {}: {}", c.seq(), c.action(), c.release(), detail);
    return new Outcome(c.seq(), c.action(), Outcome.Kind.ACTED, null, detail);
  }

  private void save(AgentState next) {
    stateFile.save(next);
    state = next;
  }

  /** Releases the state's lock: another agent may take the host over. */
  @Override
  public synchronized void close() throws Exception {
    lock.close();
  }
}
