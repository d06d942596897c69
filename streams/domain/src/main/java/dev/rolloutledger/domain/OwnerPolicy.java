package dev.rolloutledger.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The fleet owner's policy for a tenant, enforced by the engine and stronger than any publisher's
 * request. It may hold a release back; it never holds back a HALT.
 *
 * @param pin stay on this release: rollouts of any other release are refused (e.g. pin N-1)
 * @param paused no dispatch and no promotion for any rollout of the tenant
 * @param windows dispatch and promotion only inside one of these (none = any time), each in its own
 *     time zone ({@link MaintenanceWindow#zone()}, UTC by default)
 * @param delay no host applies a release sooner than this after it was published
 * @param allowedPublishers rollouts only of releases from these publishers (none = any)
 * @param by who set it
 */
public record OwnerPolicy(
    String tenant,
    String pin,
    boolean paused,
    List<MaintenanceWindow> windows,
    Duration delay,
    List<String> allowedPublishers,
    String by) {

  public OwnerPolicy {
    Checks.tenant(tenant);
    Checks.optionalId("pin", pin);
    windows = List.copyOf(Checks.present("windows", windows));
    Checks.present("delay", delay);
    if (delay.isNegative()) {
      throw new InvalidFieldException("delay", "must not be negative");
    }
    allowedPublishers = Checks.ids("allowedPublishers", allowedPublishers);
    Checks.id("by", by);
  }

  /** No constraint: what a tenant without a policy gets. */
  public static OwnerPolicy none(String tenant) {
    return new OwnerPolicy(tenant, null, false, List.of(), Duration.ZERO, List.of(), "default");
  }

  /** Why a rollout of this release is refused, or null if the policy allows it. */
  public String refusal(ReleaseInfo release) {
    if (pin != null && !pin.equals(release.release())) {
      return "tenant is pinned to release " + pin;
    }
    if (!allowedPublishers.isEmpty() && !allowedPublishers.contains(release.publisher())) {
      return "publisher " + release.publisher() + " is not allowed by the owner's policy";
    }
    return null;
  }

  /** Whether updates may move (dispatch, promotion) at {@code at}. */
  public boolean open(Instant at) {
    return !paused && (windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(at)));
  }

  /** Whether a host may receive a release published at {@code publishedAt}, at {@code at}. */
  public boolean allowsDispatch(Instant at, Instant publishedAt) {
    return open(at) && !at.isBefore(publishedAt.plus(delay));
  }
}
