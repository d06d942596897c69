package dev.rolloutledger.schemas;

/**
 * Record keys are plain UTF-8 strings {@code tenant/id}: a host's telemetry is keyed {@code
 * tenant/host}, a rollout's control events and ledger entries {@code tenant/rollout}. A tenant id
 * never contains '/', so the first '/' splits the two.
 */
public final class Keys {
  private Keys() {}

  public static String of(String tenant, String id) {
    if (tenant == null || tenant.isBlank() || tenant.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "tenant must be non-blank and must not contain '/': " + tenant);
    }
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id must be non-blank");
    }
    return tenant + "/" + id;
  }

  public static String tenantOf(String key) {
    int slash = key.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("key is not tenant/id: " + key);
    }
    return key.substring(0, slash);
  }
}
