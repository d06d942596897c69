package dev.rolloutledger.server.notify;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one POST and completes with the status, or exceptionally on a connection error or a
 * timeout. Never blocks the caller.
 */
public interface WebhookTransport {
  CompletableFuture<Integer> post(URI url, Map<String, String> headers, byte[] body);
}
