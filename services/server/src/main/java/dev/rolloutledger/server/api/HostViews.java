package dev.rolloutledger.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rolloutledger.domain.Contact;
import dev.rolloutledger.domain.HostLifecycle;
import dev.rolloutledger.domain.HostRecord;
import dev.rolloutledger.topology.HostLifecycles;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON bodies of the inventory (docs/api.md, "Inventory"): a host as the engine knows it, a page of
 * them, a lifecycle change. Nulls are written as {@code null}, not left out: an unbound host has
 * {@code "rollout": null}, the last page {@code "next": null}.
 */
public final class HostViews {
  private HostViews() {}

  /** Whether the engine heard from a host: {@code alive}, {@code offline} or {@code unseen}. */
  enum Liveness {
    ALIVE,
    OFFLINE,
    UNSEEN;

    static Liveness of(Contact contact) {
      if (contact.signOfLifeAt() == null) {
        return UNSEEN;
      }
      return contact.offline() ? OFFLINE : ALIVE;
    }

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The liveness {@code wire} names, or null. */
    static Liveness parse(String wire) {
      for (Liveness l : values()) {
        if (l.wireName().equals(wire)) {
          return l;
        }
      }
      return null;
    }
  }

  /**
   * Where a host stands in the rollout of its latest assignment: {@code unreachable} (recorded so
   * in its wave), {@code failing:<signal>} ({@code crash}, {@code silence}, {@code metrics}),
   * {@code applied}, {@code dispatched} (its Apply went out), {@code waiting} (assigned, not yet
   * sent); null when never assigned.
   */
  static String state(HostRecord h) {
    if (h.rollout() == null) {
      return null;
    }
    if (h.unreachable()) {
      return "unreachable";
    }
    if (h.failing()) {
      return "failing:" + h.failure().name().toLowerCase(Locale.ROOT);
    }
    if (h.applied()) {
      return "applied";
    }
    return h.dispatched() ? "dispatched" : "waiting";
  }

  @Serdeable
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record HostView(
      String host,
      Map<String, String> labels,
      String liveness,
      @Nullable Instant lastSignOfLifeAt,
      String lifecycle,
      @Nullable String rollout,
      @Nullable String wave,
      @Nullable String state,
      @Nullable String reportedRelease) {
    static HostView of(HostRecord h) {
      Contact c = h.contact();
      return new HostView(
          h.host(),
          h.labels(),
          Liveness.of(c).wireName(),
          c.signOfLifeAt(),
          HostLifecycles.wireName(c.lifecycle()),
          h.rollout(),
          h.wave(),
          HostViews.state(h),
          c.reportedRelease());
    }
  }

  /**
   * A page of hosts in host-id order; {@code next}: the {@code after} of the next page, or null.
   */
  @Serdeable
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record HostPage(List<HostView> hosts, @Nullable String next) {}

  /** A lifecycle change as published: the engine applies it within a second. */
  @Serdeable
  public record LifecycleChange(String host, String lifecycle, String by, Instant at) {
    static LifecycleChange of(String host, HostLifecycle lifecycle, String by, Instant at) {
      return new LifecycleChange(host, HostLifecycles.wireName(lifecycle), by, at);
    }
  }
}
