package dev.rolloutledger.domain;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * A tenant's free hosts ({@link EngineContext#isFree}: neither cordoned nor retired) in host-id
 * order after a given id, from the {@link FleetIndex} alone: the unbound hosts merged with the
 * hosts of every rollout that is over (and whose halt's commands are all out). Planning counts and
 * binds from it without reading the hosts store; a rebuilt index yields the same hosts in the same
 * order, so chunked planning decides the same after a restart.
 *
 * <p>A view: binding a host it returned while iterating is not allowed (collect, then write).
 */
final class FreeHosts implements Iterable<HostRecord> {

  private final EngineContext context;
  private final String tenant;
  private final String after;
  private final String binding;

  /**
   * The free hosts of {@code tenant} whose id is after {@code after} (null: all); the hosts of
   * {@code binding} (the rollout being planned, not stored yet; may be null) are not free.
   */
  FreeHosts(EngineContext context, String tenant, String after, String binding) {
    this.context = context;
    this.tenant = tenant;
    this.after = after;
    this.binding = binding;
  }

  @Override
  public Iterator<HostRecord> iterator() {
    FleetIndex fleet = context.fleet;
    List<Source> sources = new ArrayList<>();
    var unbound =
        after == null ? fleet.unbound(tenant) : fleet.unbound(tenant).tailMap(after, false);
    sources.add(new Source(unbound.keySet().iterator(), true));
    List<String> over = new ArrayList<>();
    for (String rollout : fleet.rolloutsWithHosts(tenant)) {
      if (rollout.equals(binding)) {
        continue;
      }
      RolloutState r = context.store.rollout(tenant, rollout).orElse(null);
      if (r == null || (r.status().isFinal() && r.fanOutAfter() == null)) {
        over.add(rollout);
      }
    }
    over.sort(null); // ties cannot happen (a host is bound once), but keep the order fixed anyway
    for (String rollout : over) {
      var ids = fleet.members(tenant, rollout).ids();
      sources.add(new Source((after == null ? ids : ids.tailSet(after, false)).iterator(), false));
    }
    PriorityQueue<Source> heads = new PriorityQueue<>((a, b) -> a.head.compareTo(b.head));
    for (Source s : sources) {
      if (s.advance()) {
        heads.add(s);
      }
    }
    return new Iterator<>() {
      private HostRecord next = find();

      // the next host from the sources that takes part in rollouts (not cordoned or retired)
      private HostRecord find() {
        while (!heads.isEmpty()) {
          Source s = heads.poll();
          String id = s.head;
          HostRecord host = s.unbound ? fleet.unbound(tenant).get(id) : fleet.assigned(tenant, id);
          if (s.advance()) {
            heads.add(s);
          }
          if (host.dispatchable()) {
            return host;
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public HostRecord next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        HostRecord host = next;
        next = find();
        return host;
      }
    };
  }

  private static final class Source {
    final Iterator<String> ids;
    final boolean unbound;
    String head;

    Source(Iterator<String> ids, boolean unbound) {
      this.ids = ids;
      this.unbound = unbound;
    }

    boolean advance() {
      if (!ids.hasNext()) {
        return false;
      }
      head = ids.next();
      return true;
    }
  }
}
