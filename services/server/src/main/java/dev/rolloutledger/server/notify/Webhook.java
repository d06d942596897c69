package dev.rolloutledger.server.notify;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

/**
 * One receiver of a tenant's notifications. The URL may hold a secret (a Slack incoming webhook's
 * path is one): it is shown and logged only as {@link #origin()}.
 *
 * @param since when a webhook of this name was first configured: decisions recorded before are not
 *     sent to it
 */
public record Webhook(
    String name, URI url, WebhookFormat format, Set<NotificationEvent> events, Instant since) {

  public Webhook {
    events = Set.copyOf(events);
  }

  public boolean wants(NotificationEvent event) {
    return events.contains(event);
  }

  /** {@code scheme://host[:port]}: what logs and the API show of the URL. */
  public String origin() {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  /** The URL as the API shows it: its origin, the rest (path, query: maybe a secret) hidden. */
  public String redactedUrl() {
    String rest = url.getRawPath() == null ? "" : url.getRawPath();
    boolean hidden = !(rest.isEmpty() || rest.equals("/")) || url.getRawQuery() != null;
    return origin() + (hidden ? "/***" : "/");
  }

  @Override
  public String toString() {
    return "Webhook[" + name + " " + format.wire() + " " + origin() + " " + events + "]";
  }
}
