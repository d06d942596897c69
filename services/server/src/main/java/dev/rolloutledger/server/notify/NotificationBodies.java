package dev.rolloutledger.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bodies a webhook is sent (docs/notifications.md, "Formats"): the generic JSON of the ledger
 * entry, or a Slack message. Both are UTF-8 JSON built in a fixed field order, so the same entry
 * gives the same bytes.
 */
public final class NotificationBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A Slack section holds at most 10 fields. */
  static final int SLACK_FIELDS = 10;

  /** Shown first, when present: what says most about why. */
  private static final List<String> KEY_EVIDENCE =
      List.of(
          "by",
          "crashFraction",
          "maxCrashFraction",
          "applied",
          "assigned",
          "unreachable",
          "maxUnreachableFraction");

  private NotificationBodies() {}

  public static byte[] body(WebhookFormat format, Notice n) {
    return format == WebhookFormat.SLACK ? slack(n) : json(n);
  }

  /** {@code {tenant, rollout, release, event, type, seq, hash, at, wave, reason, evidence}}. */
  public static byte[] json(Notice n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("tenant", n.tenant());
    o.put("rollout", n.rollout());
    o.put("release", n.release());
    o.put("event", n.event().wire());
    o.put("type", n.type());
    o.put("seq", n.seq());
    o.put("hash", n.hash());
    o.put("at", n.at().toString());
    o.put("wave", n.wave());
    o.put("reason", n.reason());
    ObjectNode evidence = o.putObject("evidence");
    n.sortedEvidence().forEach(evidence::put);
    return bytes(o);
  }

  /**
   * {@code {"text": ..., "blocks": [header, section (release, wave, why), section of evidence
   * fields, context (tenant, seq, hash, at)]}}; {@code text} is the whole message in one line, for
   * notifications and clients without blocks.
   */
  public static byte[] slack(Notice n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("text", headline(n));
    ArrayNode blocks = o.putArray("blocks");
    ObjectNode header = blocks.addObject().put("type", "header");
    header
        .putObject("text")
        .put("type", "plain_text")
        .put("text", cut("Rollout " + n.rollout() + " " + verb(n), 150));
    StringBuilder what = new StringBuilder();
    what.append("*Release* ").append(escape(n.release() == null ? "(unknown)" : n.release()));
    if (n.wave() != null) {
      what.append("\n*Wave* ").append(escape(n.wave()));
    }
    what.append("\n*Why* ").append(escape(why(n)));
    blocks
        .addObject()
        .put("type", "section")
        .putObject("text")
        .put("type", "mrkdwn")
        .put("text", cut(what.toString(), 3000));
    List<Map.Entry<String, String>> evidence = keyEvidenceFirst(n.sortedEvidence());
    if (!evidence.isEmpty()) {
      ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
      for (Map.Entry<String, String> e :
          evidence.subList(0, Math.min(SLACK_FIELDS, evidence.size()))) {
        fields
            .addObject()
            .put("type", "mrkdwn")
            .put("text", cut("*" + escape(e.getKey()) + "*\n" + escape(e.getValue()), 2000));
      }
    }
    String more =
        evidence.size() > SLACK_FIELDS
            ? " · " + (evidence.size() - SLACK_FIELDS) + " more evidence entries in the ledger"
            : "";
    blocks
        .addObject()
        .put("type", "context")
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put(
            "text",
            escape(
                "tenant "
                    + n.tenant()
                    + " · "
                    + n.type()
                    + " #"
                    + n.seq()
                    + " · hash "
                    + n.hash().substring(0, Math.min(12, n.hash().length()))
                    + " · "
                    + n.at()
                    + more));
    return bytes(o);
  }

  /** One line: rollout, release, what happened, where, why. */
  static String headline(Notice n) {
    StringBuilder s = new StringBuilder("Rollout ").append(n.rollout());
    if (n.release() != null) {
      s.append(" of release ").append(n.release());
    }
    s.append(' ').append(verb(n));
    if (n.wave() != null) {
      s.append(n.event() == NotificationEvent.PROMOTED ? ": wave " : " in wave ").append(n.wave());
    }
    s.append(": ").append(why(n));
    return escape(s.toString());
  }

  private static String verb(Notice n) {
    switch (n.event()) {
      case HALTED:
        return "halted";
      case PROMOTED:
        return "promoted a wave";
      case COMPLETED:
        return "completed";
      case PAUSED:
        return "paused";
      default:
        throw new IllegalStateException(n.event().name());
    }
  }

  private static String why(Notice n) {
    if (n.reason() != null) {
      return n.reason();
    }
    switch (n.event()) {
      case PROMOTED:
        return "its gate passed";
      case COMPLETED:
        return "every wave promoted";
      default:
        return "see the ledger";
    }
  }

  private static List<Map.Entry<String, String>> keyEvidenceFirst(Map<String, String> sorted) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String k : KEY_EVIDENCE) {
      if (sorted.containsKey(k)) {
        out.add(Map.entry(k, sorted.get(k)));
      }
    }
    sorted.forEach(
        (k, v) -> {
          if (!KEY_EVIDENCE.contains(k)) {
            out.add(Map.entry(k, v));
          }
        });
    return out;
  }

  /** Slack's mrkdwn control characters; a value never becomes a link or a mention. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
