package dev.rolloutledger.server.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * JSON request bodies. Every field is nullable here so that a missing one is reported by the
 * domain's validation with its name, rather than as an anonymous binding error.
 */
public final class Requests {
  private Requests() {}

  @Serdeable
  public record HostBody(@Nullable String host, @Nullable Map<String, String> labels) {}

  @Serdeable
  public record ReleaseBody(
      @Nullable String release,
      @Nullable String artifact,
      @Nullable String version,
      @Nullable String sha256,
      @Nullable String publisher,
      @Nullable String severity,
      @Nullable String publisherKey,
      @Nullable String signature) {}

  @Serdeable
  public record WaveBody(
      @Nullable String name,
      @Nullable Map<String, String> selector,
      @Nullable Integer hosts,
      @Nullable Integer percent,
      @Nullable Double maxCrashFraction,
      @Nullable Integer minCrashes,
      @Nullable String bake,
      @Nullable Boolean approval,
      @Nullable Double maxFailureRate,
      @Nullable Integer batches,
      @Nullable Integer batchSize,
      @Nullable String batchBake,
      @Nullable SpreadBody spread) {}

  /** At most {@code hosts} hosts per value of the label {@code by}. */
  @Serdeable
  public record SpreadBody(@Nullable String by, @Nullable Integer hosts) {}

  /** A plan; every setting but {@code waves} has a default (see {@code Plan}). */
  @Serdeable
  public record PlanBody(
      @Nullable List<WaveBody> waves,
      @Nullable String heartbeatTimeout,
      @Nullable Double alpha,
      @Nullable Double beta,
      @Nullable Double toleratedRatio,
      @Nullable Integer maxDispatchPerMinute,
      @Nullable Map<String, Double> limits,
      @Nullable Integer emergencyCompression,
      @Nullable String liveness,
      @Nullable Double maxUnreachableFraction) {}

  /**
   * {@code plan}: a plan object ({@link PlanBody}), or a string naming a template ({@code
   * PlanTemplates}), or absent (the default plan). Read untyped, then bound by the controller.
   */
  @Serdeable
  public record RolloutBody(
      @Nullable String rollout,
      @Nullable String release,
      @Nullable @Schema(oneOf = {String.class, PlanBody.class}) Object plan) {}

  /** Who acts is the caller's token name, recorded in the ledger; never a field of the body. */
  @Serdeable
  public record ActionBody(@Nullable String reason) {}

  @Serdeable
  public record ApprovalBody(@Nullable String wave) {}

  /**
   * One item of a telemetry batch. {@code type} is {@code applied} (host, release, ok, error),
   * {@code heartbeat} (host, release, metrics), {@code crash} (host, release, signature, kind), or,
   * from a failure detector (ADR 0006), {@code silent} (host, lastSeenAt: not seen since, not after
   * {@code at}) or {@code back} (host: seen again); {@code at} defaults to the time the server
   * received the batch.
   */
  @Serdeable
  public record TelemetryItem(
      @Nullable String type,
      @Nullable String host,
      @Nullable String release,
      @Nullable @Schema(format = "date-time") String at,
      @Nullable Boolean ok,
      @Nullable String error,
      @Nullable Map<String, Double> metrics,
      @Nullable String signature,
      @Nullable String kind,
      @Nullable @Schema(format = "date-time") String lastSeenAt) {}
}
