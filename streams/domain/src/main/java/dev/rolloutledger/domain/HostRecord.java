package dev.rolloutledger.domain;

import dev.rolloutledger.domain.gate.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the engine knows about a host. {@code binding} is its latest assignment (rollout, wave, and
 * how silence is judged), null if never assigned; {@code applied} and {@code failure} refer to that
 * rollout's release. An assignment to a HALTED or COMPLETED rollout no longer binds the host.
 * {@code lastSeenAt} is the event time of its last apply or heartbeat for that rollout.
 *
 * <p>{@code failure}: the {@link Signal} the host fails by, at most one, the first seen, and only
 * once it applied: {@link Signal#CRASH} (a crash report or a failed apply), {@link Signal#SILENCE}
 * (it applied, then sent nothing for longer than the plan's heartbeat timeout: the CrowdStrike
 * signal) or {@link Signal#METRICS} (alive, but a heartbeat carried a metric over the plan's
 * limits: the Cloudflare 2019 signal); null while it is healthy. {@code dispatched}: the Apply of
 * its rollout was sent (dispatch is paced, so an assigned host may still wait). {@code
 * baselineFailing}: not yet updated (baseline cohort) and failing now (crashed, silent or over
 * limits on its previous release); cleared when it heartbeats within limits again. Under a binding
 * whose liveness is reported ({@link Liveness#REPORTED}) the host is alive until {@code
 * silenceReported}: a failure detector said it is silent and no sign of life came since. Silence is
 * judged from {@code lastSeenAt} only while {@link #silenceClockRuns}.
 */
public record HostRecord(
    String tenant,
    String host,
    Map<String, String> labels,
    long lastCommandSeq,
    Binding binding,
    boolean applied,
    Signal failure,
    Instant lastSeenAt,
    boolean dispatched,
    boolean baselineFailing,
    boolean silenceReported,
    Contact contact,
    Delivery delivery) {

  /** A record without anything heard across rollouts ({@link Contact#NONE}) or sent. */
  public HostRecord(
      String tenant,
      String host,
      Map<String, String> labels,
      long lastCommandSeq,
      Binding binding,
      boolean applied,
      Signal failure,
      Instant lastSeenAt,
      boolean dispatched,
      boolean baselineFailing,
      boolean silenceReported) {
    this(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        Contact.NONE,
        Delivery.NONE);
  }

  public HostRecord {
    Checks.tenant(tenant);
    Checks.id("host", host);
    labels = Checks.sortedMap("labels", labels);
    Checks.atLeast("lastCommandSeq", lastCommandSeq, 0);
    if (failure != null && !applied) {
      throw new InvalidFieldException("applied", "must be true when failing (" + failure + ")");
    }
    if (failure == Signal.APPLY) {
      throw new InvalidFieldException("failure", "a failed apply is counted as CRASH");
    }
    // the parameters, not the accessors: fields are not assigned yet in a compact constructor
    boolean reportedLiveness = binding != null && binding.livenessReported();
    if (silenceReported && (!reportedLiveness || lastSeenAt == null)) {
      throw new InvalidFieldException(
          "silenceReported", "needs livenessReported and lastSeenAt (a detector's report)");
    }
    Checks.present("contact", contact);
    Checks.present("delivery", delivery);
  }

  /** A newly seen host: no commands, no assignment. */
  public static HostRecord registered(String tenant, String host, Map<String, String> labels) {
    return new HostRecord(tenant, host, labels, 0, null, false, null, null, false, false, false);
  }

  /** The rollout of its latest assignment, or null. */
  public String rollout() {
    return binding == null ? null : binding.rollout();
  }

  /** The wave of its latest assignment, or null. */
  public String wave() {
    return binding == null ? null : binding.wave();
  }

  /** Its rollout's plan takes liveness from a failure detector ({@link Liveness#REPORTED}). */
  public boolean livenessReported() {
    return binding != null && binding.livenessReported();
  }

  /** Counted as failing by one signal already. */
  public boolean failing() {
    return failure != null;
  }

  /** Failing by {@code signal}. */
  public boolean failingBy(Signal signal) {
    return failure == signal;
  }

  /** Failing by {@link Signal#CRASH}: a crash report or a failed apply. */
  public boolean crashed() {
    return failingBy(Signal.CRASH);
  }

  /** Failing by {@link Signal#SILENCE}. */
  public boolean silent() {
    return failingBy(Signal.SILENCE);
  }

  /**
   * Failing by {@link Signal#METRICS} (over limits): the state's name, {@code hot}, kept for
   * callers that read the flags one by one (the property tests).
   */
  public boolean hot() {
    return failingBy(Signal.METRICS);
  }

  public HostRecord withLabels(Map<String, String> newLabels) {
    return new HostRecord(
        tenant,
        host,
        newLabels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  public HostRecord withLastCommandSeq(long seq) {
    return new HostRecord(
        tenant,
        host,
        labels,
        seq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  /**
   * Assigned to a wave of a rollout, with nothing applied or failed yet, liveness by heartbeats.
   */
  public HostRecord assignedTo(String newRollout, String newWave) {
    return assignedTo(newRollout, newWave, Liveness.HEARTBEATS);
  }

  /**
   * Assigned to a wave of a rollout, with nothing applied or failed yet; its silence judged as that
   * rollout's plan says ({@code liveness}).
   */
  public HostRecord assignedTo(String newRollout, String newWave, Liveness liveness) {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        new Binding(newRollout, newWave, liveness),
        false,
        null,
        null,
        false,
        false,
        false,
        contact,
        Delivery.NONE);
  }

  /**
   * Applied its rollout's release; {@code crashed}: the apply failed or the host crashed, which
   * makes it fail by {@link Signal#CRASH} unless it already fails by another signal.
   */
  public HostRecord appliedWith(boolean crashed) {
    Signal newFailure = failure == null && crashed ? Signal.CRASH : failure;
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        true,
        newFailure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  /**
   * Seen at {@code at} (never moves back in time). A sign of life after a detector's silence report
   * answers it: the host is taken as alive again.
   */
  public HostRecord seenAt(Instant at) {
    if (lastSeenAt != null && !at.isAfter(lastSeenAt)) {
      return this; // nothing new: no copy
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        at,
        dispatched,
        baselineFailing,
        false,
        contact,
        delivery);
  }

  /**
   * A failure detector reports that it has not seen the host since {@code detectorLastSeenAt}: the
   * silence clock runs from the later of that and the last sign of life the engine has. Only for a
   * host whose liveness is reported ({@link Liveness#REPORTED}); any other host is returned as is.
   */
  public HostRecord silenceReported(Instant detectorLastSeenAt) {
    if (!livenessReported() || silenceReported && !detectorLastSeenAt.isAfter(lastSeenAt)) {
      return this;
    }
    Instant from =
        lastSeenAt == null || detectorLastSeenAt.isAfter(lastSeenAt)
            ? detectorLastSeenAt
            : lastSeenAt;
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        from,
        dispatched,
        baselineFailing,
        true,
        contact,
        delivery);
  }

  /**
   * Whether the silence clock runs from {@code lastSeenAt}: seen, and either judged from heartbeats
   * or reported silent by a detector (a host whose liveness is reported is alive until then).
   */
  public boolean silenceClockRuns() {
    return lastSeenAt != null && (!livenessReported() || silenceReported);
  }

  /** Failing by {@code signal} from now on (an applied host not failing yet). */
  public HostRecord failingFrom(Signal signal) {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        signal,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  /** Held before it applied: its Apply must be sent again (a person resumed the rollout). */
  public HostRecord awaitingDispatch() {
    return withDispatched(false).withDelivery(Delivery.NONE);
  }

  /** Its Apply is still to be sent: not sent, and not recorded unreachable. */
  public boolean awaitingApply() {
    return !dispatched && !delivery.unreachable();
  }

  /**
   * Its Apply went out (as {@link Delivery} records) and no outcome came yet: neither applied nor
   * failing. An Apply that expires in this state is sent once more or given up.
   */
  public boolean awaitingReport() {
    return dispatched && !applied && failure == null && delivery.sentAt() != null;
  }

  /**
   * Recorded unreachable in its wave: no Apply outstanding, and the wave does not wait for it. A
   * host recorded unreachable is not failing: it is sent the Apply when it comes back.
   */
  public HostRecord markedUnreachable() {
    return withDispatched(false).withDelivery(delivery.markedUnreachable());
  }

  /** Came back after it was recorded unreachable: its Apply is to be sent afresh. */
  public HostRecord reachableAgain() {
    return withDelivery(delivery.reachable());
  }

  /**
   * Its Apply went out (it was reachable then), it reported no outcome, and nothing was seen from
   * it for longer than {@code timeout}: it died before it could report the apply (journals of
   * version 5 on judge it as if it applied and died).
   */
  public boolean silentBeforeReportAt(Instant now, Duration timeout) {
    return awaitingReport() && silenceClockRuns() && now.isAfter(lastSeenAt.plus(timeout));
  }

  /** Sent the Apply of its rollout. */
  public HostRecord markedDispatched() {
    return withDispatched(true);
  }

  private HostRecord withDispatched(boolean sent) {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        sent,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  /** Bound as it is, its liveness judged as {@code liveness} says (unbound: unchanged). */
  public HostRecord withLiveness(Liveness liveness) {
    if (binding == null || binding.liveness() == liveness) {
      return this;
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        new Binding(binding.rollout(), binding.wave(), liveness),
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        delivery);
  }

  /** A host of the baseline cohort (not yet updated) failing, or recovered. */
  public HostRecord withBaselineFailing(boolean failing) {
    if (failing == baselineFailing) {
      return this; // the common case, at every heartbeat of a healthy baseline host
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        failing,
        silenceReported,
        contact,
        delivery);
  }

  /**
   * Not yet updated, not failing, seen before, and nothing seen for longer than {@code timeout}.
   */
  public boolean baselineSilentAt(Instant now, Duration timeout) {
    return !applied
        && !baselineFailing
        && silenceClockRuns()
        && now.isAfter(lastSeenAt.plus(timeout));
  }

  /** Applied, not yet failing, and nothing seen for longer than {@code timeout}. */
  public boolean silentAt(Instant now, Duration timeout) {
    return applied && !failing() && silenceClockRuns() && now.isAfter(lastSeenAt.plus(timeout));
  }

  /** The same host with what the engine heard from it across rollouts replaced. */
  public HostRecord withContact(Contact newContact) {
    if (newContact.equals(contact)) {
      return this;
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        newContact,
        delivery);
  }

  /** The same host with how its current Apply went out replaced. */
  public HostRecord withDelivery(Delivery newDelivery) {
    if (newDelivery.equals(delivery)) {
      return this;
    }
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        binding,
        applied,
        failure,
        lastSeenAt,
        dispatched,
        baselineFailing,
        silenceReported,
        contact,
        newDelivery);
  }

  /**
   * Registered by its owner: a host only heard from so far ({@link HostLifecycle#UNREGISTERED})
   * joins the fleet, ACTIVE; any other is returned as is.
   */
  public HostRecord registered() {
    return contact.lifecycle() == HostLifecycle.UNREGISTERED
        ? withContact(contact.withLifecycle(HostLifecycle.ACTIVE))
        : this;
  }

  /**
   * A host heard from at {@code at} before anyone registered it: not in the fleet until it is, its
   * sign of life kept for then.
   */
  public static HostRecord heardBeforeRegistration(String tenant, String host, Instant at) {
    return registered(tenant, host, Map.of())
        .withContact(new Contact(at, false, null, HostLifecycle.UNREGISTERED));
  }

  /** Recorded unreachable in its wave: not dispatched, and the wave does not wait for it. */
  public boolean unreachable() {
    return delivery.unreachable();
  }

  /** Takes part in rollouts (neither cordoned nor retired). */
  public boolean dispatchable() {
    return contact.lifecycle().dispatchable();
  }

  /**
   * Left its rollout (an operator cordoned or retired it before its outcome counted): bound to
   * none, nothing applied or sent; what was heard from it and its command seq are kept.
   */
  public HostRecord unbound() {
    return new HostRecord(
        tenant,
        host,
        labels,
        lastCommandSeq,
        null,
        false,
        null,
        null,
        false,
        false,
        false,
        contact,
        Delivery.NONE);
  }
}
