package dev.rolloutledger.server.metrics;

import dev.rolloutledger.domain.RolloutEngine;
import dev.rolloutledger.domain.gate.Signal;
import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The closed sets of label values: a reason or a topic written by anyone is mapped onto a few
 * names, so no free text and no unbounded value becomes a time series (docs/metrics.md).
 */
public final class MetricLabels {
  private MetricLabels() {}

  /** A value outside the known set. */
  public static final String OTHER = "other";

  private static final Set<String> TOPICS =
      Topics.all().stream().map(TopicDescriptor::name).collect(Collectors.toUnmodifiableSet());

  private static final Map<String, String> HALT_REASONS =
      Map.of(
          RolloutEngine.FAILURE_FRACTION_CAP, "cap",
          RolloutEngine.SILENCE, "cap_silence",
          RolloutEngine.METRICS, "cap_metrics",
          RolloutEngine.MANUAL_HALT, "manual",
          RolloutEngine.ROLLBACK, "rollback",
          RolloutEngine.REFUSED, "policy");

  /** Every value {@link #haltReason} answers. */
  public static final List<String> HALT_REASONS_ALL = haltReasonsAll();

  /** Every value {@link #deadLetterReason} answers. */
  public static final List<String> DEAD_LETTER_REASONS =
      List.of(
          "invalid_field",
          "invalid_record",
          "not_deserializable",
          "processing_failed",
          "rejected",
          "not_decided",
          "null_value",
          OTHER);

  /** Every value {@link #deadLetterSource} answers: the ledger's topics and {@code other}. */
  public static final List<String> DEAD_LETTER_SOURCES =
      Stream.concat(TOPICS.stream().sorted(), Stream.of(OTHER)).toList();

  /**
   * The entry types of {@code ledger.decisions} ({@code WaveStarted}, ...): its union's records.
   */
  public static final List<String> ENTRY_TYPES =
      Topics.LEDGER.valueSchema().getTypes().stream().map(Schema::getName).toList();

  private static List<String> haltReasonsAll() {
    List<String> out = new ArrayList<>();
    for (Signal s : Signal.values()) {
      out.add("regression_" + s.name().toLowerCase(Locale.ROOT));
    }
    out.add("regression");
    out.addAll(new TreeSet<>(HALT_REASONS.values()));
    out.add(OTHER);
    return List.copyOf(out);
  }

  /**
   * The halt reason of a {@code RolloutHalted}: {@code regression_crash}, {@code
   * regression_silence}, {@code regression_metrics} (the signal whose evidence crossed its
   * threshold), {@code cap} (the failure fraction cap), {@code cap_silence}, {@code cap_metrics},
   * {@code manual}, {@code rollback}, {@code policy} (refused by the owner's policy), or {@code
   * other}.
   */
  public static String haltReason(String reason, Map<String, String> evidence) {
    if (RolloutEngine.REGRESSION.equals(reason)) {
      String signal = evidence.get("signal");
      for (Signal s : Signal.values()) {
        if (s.name().equals(signal)) {
          return "regression_" + s.name().toLowerCase(Locale.ROOT);
        }
      }
      return "regression";
    }
    return HALT_REASONS.getOrDefault(reason, OTHER);
  }

  /**
   * The kind of a dead letter, from the start of its reason (docs/failures.md): {@code
   * invalid_field}, {@code invalid_record}, {@code not_deserializable}, {@code processing_failed},
   * {@code rejected} (the engine refused an input: unknown rollout, wrong status, ...), {@code
   * not_decided} (the input changed nothing), {@code null_value}, or {@code other}.
   */
  public static String deadLetterReason(String reason) {
    if (reason == null) {
      return OTHER;
    }
    if (reason.startsWith("invalid field ")) {
      return "invalid_field";
    }
    if (reason.startsWith("invalid record")) {
      return "invalid_record";
    }
    if (reason.startsWith("does not deserialize")) {
      return "not_deserializable";
    }
    if (reason.startsWith("processing failed")) {
      return "processing_failed";
    }
    if (reason.startsWith("rejected ")) {
      return "rejected";
    }
    if (reason.startsWith("not decided") || reason.startsWith("not absorbed")) {
      return "not_decided";
    }
    if (reason.startsWith("value is null")) {
      return "null_value";
    }
    return OTHER;
  }

  /** The topic a dead letter came from, if it is one of the ledger's; else {@code other}. */
  public static String deadLetterSource(String topic) {
    return topic != null && TOPICS.contains(topic) ? topic : OTHER;
  }
}
