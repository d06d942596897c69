package dev.rolloutledger.topology;

/**
 * Keys of the state stores. Tenant ids contain no '/', so {@code tenant/} prefixes select exactly
 * one tenant; ledger entries sort by sequence number within a rollout thanks to the zero padding,
 * and the NUL separator cannot occur in a rollout id accepted by the API.
 */
public final class StoreKeys {
  private StoreKeys() {}

  public static String of(String tenant, String id) {
    return tenant + "/" + id;
  }

  public static String tenantPrefix(String tenant) {
    return tenant + "/";
  }

  public static String ledgerPrefix(String tenant, String rollout) {
    return tenant + "/" + rollout + "\u0000";
  }

  public static String ledger(String tenant, String rollout, long seq) {
    return ledgerPrefix(tenant, rollout) + String.format("%019d", seq);
  }
}
