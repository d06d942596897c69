package dev.rolloutledger.server.notify;

import java.util.Locale;
import java.util.Optional;

/** The body a webhook is sent (docs/notifications.md, "Formats"). */
public enum WebhookFormat {
  /** Slack-compatible: {@code {"text": ..., "blocks": [...]}}, for an incoming webhook. */
  SLACK,
  /** The generic body: the ledger entry's fields, signed with the deployment's key. */
  JSON;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<WebhookFormat> parse(String wire) {
    for (WebhookFormat f : values()) {
      if (f.wire().equals(wire)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
