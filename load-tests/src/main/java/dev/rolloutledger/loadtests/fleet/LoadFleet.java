package dev.rolloutledger.loadtests.fleet;

import dev.rolloutledger.schemas.Keys;
import java.util.Locale;

/**
 * The simulated fleet of one run: its load tenants, hosts ({@code h0000000}...) spread round-robin
 * over them, and who sends heartbeats (all but the first {@code --silent-percent} hosts).
 */
public record LoadFleet(
    String[] tenants,
    String[] hosts,
    String[] keys,
    String[] tenantOf,
    HeartbeatSender.Fleet fleet) {

  public static LoadFleet of(FleetOptions o, String runId) {
    String[] tenants = new String[o.tenants()];
    for (int t = 0; t < tenants.length; t++) {
      tenants[t] = "fleet-" + runId + "-" + t;
    }
    String[] hosts = new String[o.hosts()];
    String[] keys = new String[o.hosts()];
    String[] tenantOf = new String[o.hosts()];
    for (int i = 0; i < hosts.length; i++) {
      hosts[i] = String.format(Locale.ROOT, "h%07d", i);
      tenantOf[i] = tenants[i % tenants.length];
      keys[i] = Keys.of(tenantOf[i], hosts[i]);
    }
    int silent = (int) Math.round(o.hosts() * o.silentPercent() / 100.0);
    int[] live = new int[o.hosts() - silent];
    for (int i = 0; i < live.length; i++) {
      live[i] = silent + i; // the first `silent` hosts never send
    }
    return new LoadFleet(
        tenants,
        hosts,
        keys,
        tenantOf,
        new HeartbeatSender.Fleet(hosts, keys, tenantOf, live, "rel-1"));
  }
}
