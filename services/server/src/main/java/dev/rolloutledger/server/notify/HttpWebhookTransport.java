package dev.rolloutledger.server.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The JDK's HTTP client, asynchronous: a receiver that never answers holds no thread, only its own
 * webhook's queue, until the timeout. Redirects are not followed (a webhook's URL is where it is
 * sent, nothing else), and the answer's body is discarded unread. Before each attempt, on the
 * executor, the host is resolved and judged by {@link WebhookTargets}: an address webhooks may not
 * reach fails the attempt with {@link WebhookTargets.RefusedTarget}, before any connection.
 */
public final class HttpWebhookTransport implements WebhookTransport {
  private final HttpClient http;
  private final Duration timeout;
  private final WebhookTargets targets;
  private final Executor executor;

  public HttpWebhookTransport(Duration timeout, Executor executor, WebhookTargets targets) {
    this.timeout = timeout;
    this.targets = targets;
    this.executor = executor;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout)
            .executor(executor)
            .build();
  }

  @Override
  public CompletableFuture<Integer> post(URI url, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    HttpRequest request = b.build();
    return CompletableFuture.supplyAsync(() -> targets.refusal(url), executor)
        .thenCompose(
            refusal ->
                refusal.isPresent()
                    ? CompletableFuture.failedFuture(
                        new WebhookTargets.RefusedTarget(refusal.get()))
                    : http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .thenApply(HttpResponse::statusCode));
  }
}
