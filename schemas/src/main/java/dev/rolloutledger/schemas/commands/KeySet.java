package dev.rolloutledger.schemas.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The deployment's command-signing keys, as every instance and agent sees them: the public keys,
 * which one signs ({@link Status#ACTIVE}), which still verify ({@link Status#VERIFYING}) and which
 * were retired. Derived, in log order, from the entries of {@code ledger.keys} (one partition), so
 * every instance derives the same set. Private keys never travel: each instance has them in its key
 * directory ({@link SigningKeys}).
 *
 * <pre>
 *   first start       claim A          A active
 *   ledger keys publish B              A active, B verifying   (agents add B)
 *   ledger keys activate B             B active, A verifying   (instances sign with B)
 *   ledger keys retire A               B active                (agents may drop A)
 * </pre>
 *
 * A claim is the first instance's own key on a fresh deployment: it counts only if no key is active
 * yet when it is read, so two instances starting together agree on the first claim.
 */
public final class KeySet {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Status {
    ACTIVE,
    VERIFYING,
    RETIRED;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One entry of {@code ledger.keys}: value JSON, key = the key id. */
  public record Entry(String keyId, String publicKey, Status status, Instant at, boolean claim) {
    public String toJson() {
      ObjectNode n = JSON.createObjectNode();
      n.put("keyId", keyId);
      n.put("algorithm", "Ed25519");
      n.put("publicKey", publicKey);
      n.put("status", status.wire());
      n.put("at", at.toString());
      n.put("claim", claim);
      return n.toString();
    }

    public static Entry fromJson(String json) {
      try {
        JsonNode n = JSON.readTree(json);
        return new Entry(
            n.get("keyId").asText(),
            n.get("publicKey").asText(),
            Status.valueOf(n.get("status").asText().toUpperCase(Locale.ROOT)),
            Instant.parse(n.get("at").asText()),
            n.path("claim").asBoolean(false));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("not a key set entry: " + e.getMessage(), e);
      }
    }
  }

  /** A public key of the set and its status. */
  public record Key(String keyId, String publicKey, Status status) {}

  private final Map<String, Key> keys = new LinkedHashMap<>();
  private String active;

  /** Applies the next entry of the log; entries that break the rules change nothing. */
  public void apply(Entry e) {
    Key known = keys.get(e.keyId());
    if (known != null && !known.publicKey().equals(e.publicKey())) {
      return; // a key id names one public key for ever
    }
    switch (e.status()) {
      case ACTIVE -> {
        if ((e.claim() && active != null) || (known != null && known.status() == Status.RETIRED)) {
          return;
        }
        if (active != null && !active.equals(e.keyId())) {
          Key previous = keys.get(active);
          keys.put(active, new Key(active, previous.publicKey(), Status.VERIFYING));
        }
        keys.put(e.keyId(), new Key(e.keyId(), e.publicKey(), Status.ACTIVE));
        active = e.keyId();
      }
      case VERIFYING -> {
        if (known == null) {
          keys.put(e.keyId(), new Key(e.keyId(), e.publicKey(), Status.VERIFYING));
        }
      }
      case RETIRED -> {
        if (known != null && !e.keyId().equals(active)) {
          keys.put(e.keyId(), new Key(e.keyId(), e.publicKey(), Status.RETIRED));
        }
      }
    }
  }

  /** The key that signs, once one was claimed. */
  public Optional<Key> active() {
    return Optional.ofNullable(active).map(keys::get);
  }

  public Optional<Key> key(String keyId) {
    return Optional.ofNullable(keys.get(keyId));
  }

  /** The keys that verify commands: the active one first, then those still verifying. */
  public List<Key> verifying() {
    List<Key> out = new ArrayList<>();
    active().ifPresent(out::add);
    for (Key k : keys.values()) {
      if (k.status() == Status.VERIFYING) {
        out.add(k);
      }
    }
    return out;
  }

  /** A copy, to hand to readers while the log goes on. */
  public KeySet copy() {
    KeySet c = new KeySet();
    c.keys.putAll(keys);
    c.active = active;
    return c;
  }
}
