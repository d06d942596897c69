package dev.rolloutledger.schemas.registry;

import dev.rolloutledger.schemas.TopicDescriptor;
import dev.rolloutledger.schemas.Topics;
import dev.rolloutledger.schemas.compat.Compatibility;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The registry's side of the topic contract: the value subject of every topic of {@link
 * Topics#all()} whose values are Avro in the Confluent wire format, with the schema the server
 * reads it with. ({@link Topics#SCHEMAS} and {@link Topics#TOKENS} hold plain UTF-8 JSON that no
 * serializer writes, so they have no subject.)
 *
 * <p>Whatever is registered under a contract subject is a schema some producer will write with and
 * the server will read with the contract's schema. So a registration there must be readable by the
 * contract (Avro schema resolution, the contract as reader), and each record it writes must be a
 * type the topic carries, by name: otherwise every record written with it would fail to decode (a
 * {@code "string"} under {@code ledger.decisions-value}). A single event record of the union (a
 * producer that only sends {@code CrashReport}) is a compatible evolution (ADR 0003).
 *
 * <p>Applied by the embedded {@link KafkaSchemaRegistry} (instead of its level, for these subjects)
 * and by the server's {@code /registry} before any registration, so also in front of a user's own
 * registry; {@link InMemorySchemaRegistry} applies it only when made to.
 */
public final class TopicContract {
  private static final Map<String, Schema> SUBJECTS = subjectsOf(Topics.all());

  private TopicContract() {}

  /** Subject to contract schema, in the order of {@link Topics#all()}. */
  public static Map<String, Schema> subjects() {
    return SUBJECTS;
  }

  public static Optional<Schema> schemaOf(String subject) {
    return Optional.ofNullable(SUBJECTS.get(subject));
  }

  /**
   * Why {@code candidate} may not be registered under {@code subject}; empty when it may (always
   * for a subject outside the contract).
   */
  public static List<String> problems(String subject, Schema candidate) {
    Schema contract = SUBJECTS.get(subject);
    if (contract == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Schema written : members(candidate)) {
      if (written.getType() != Schema.Type.RECORD) {
        out.add(
            "a "
                + written.getType().getName()
                + " is not an event of "
                + subject
                + " (records only)");
      } else if (carried(contract, written).isPresent()) {
        // the branch of the same name reads it: problems name the field
        out.addAll(
            Compatibility.problems(
                Compatibility.Level.FORWARD, written, carried(contract, written).get()));
      } else {
        out.add(
            written.getFullName()
                + " is not a type "
                + subject
                + " carries (it carries "
                + String.join(", ", names(contract))
                + ")");
      }
    }
    if (out.isEmpty()) {
      // the contract reads what the candidate writes: FORWARD with the contract as the old schema
      out.addAll(Compatibility.problems(Compatibility.Level.FORWARD, candidate, contract));
    }
    return out;
  }

  private static Optional<Schema> carried(Schema contract, Schema written) {
    for (Schema branch : members(contract)) {
      if (branch.getFullName().equals(written.getFullName())
          || branch.getAliases().contains(written.getFullName())) {
        return Optional.of(branch);
      }
    }
    return Optional.empty();
  }

  private static List<Schema> members(Schema schema) {
    return schema.getType() == Schema.Type.UNION ? schema.getTypes() : List.of(schema);
  }

  private static List<String> names(Schema contract) {
    return members(contract).stream().map(Schema::getName).toList();
  }

  private static Map<String, Schema> subjectsOf(List<TopicDescriptor<?, ?>> topics) {
    Map<String, Schema> out = new LinkedHashMap<>();
    for (TopicDescriptor<?, ?> t : topics) {
      if (t.valueType() != String.class) {
        out.put(t.valueSubject(), t.valueSchema());
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
