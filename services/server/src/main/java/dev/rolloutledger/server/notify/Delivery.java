package dev.rolloutledger.server.notify;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One body for one webhook, with its headers (the signature among them) made once: every attempt
 * sends the same bytes.
 *
 * @param id {@code <tenant>/<rollout>/<seq>/<webhook name>}, sent as {@code X-Ledger-Delivery}
 * @param cancelled true once nobody waits for it here any more (its partition went to another
 *     instance, which sends it again): it is not tried again
 * @param done called once, when it is delivered or given up (not when cancelled)
 */
public record Delivery(
    String id,
    String tenant,
    Webhook webhook,
    Map<String, String> headers,
    byte[] body,
    BooleanSupplier cancelled,
    Runnable done) {

  public static final String DELIVERY_HEADER = "X-Ledger-Delivery";
  public static final String EVENT_HEADER = "X-Ledger-Event";

  public Delivery {
    headers = Map.copyOf(headers);
  }

  /** Where it goes, as logs show it: tenant, webhook name, URL origin, delivery id. */
  String describe() {
    return "webhook " + tenant + "/" + webhook.name() + " (" + webhook.origin() + ") " + id;
  }
}
