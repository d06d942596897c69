package dev.rolloutledger.server.events;

import static dev.rolloutledger.server.auth.Permission.READ;

import dev.rolloutledger.server.api.Ids;
import dev.rolloutledger.server.auth.Allowed;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.sse.Event;
import java.time.Duration;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * {@code GET /api/v1/tenants/{tenant}/events}: the tenant's decisions and evidence points as
 * server-sent events, as they are committed (docs/dashboard.md). Authenticated like every route,
 * with the {@code Authorization} header (a browser reads it with {@code fetch()}: a token never
 * goes in a URL). Events: {@code hello} once (subscribed), {@code decision}, {@code evidence},
 * {@code feed} when the server's reader of the topics changes state, and {@code ping} every {@link
 * #PING} so proxies keep the connection; {@code hello} and {@code ping} carry that state too
 * ({@code "feed": "following"}, or {@code "restarting"}: the page says it is not live). A client
 * too slow for {@link #BUFFER} events is disconnected; it reconnects and reads the state again.
 */
@Controller("/api/v1/tenants/{tenant}/events")
public class EventsController {
  static final Duration PING = Duration.ofSeconds(15);
  static final int BUFFER = 1024;

  private final LedgerEventFeed feed;

  public EventsController(LedgerEventFeed feed) {
    this.feed = feed;
  }

  @Get(produces = MediaType.TEXT_EVENT_STREAM)
  @Allowed(READ)
  public Publisher<Event<Object>> events(@PathVariable String tenant) {
    Ids.require("tenant", tenant);
    Flux<Event<Object>> live =
        Flux.<Event<Object>>create(
                sink -> {
                  LedgerEventFeed.Subscription s =
                      feed.subscribe(
                          tenant, e -> sink.next(Event.<Object>of(e.body()).name(e.name())));
                  sink.onDispose(s::close);
                },
                FluxSink.OverflowStrategy.BUFFER)
            .onBackpressureBuffer(BUFFER, BufferOverflowStrategy.ERROR);
    Flux<Event<Object>> pings =
        Flux.interval(PING, PING)
            .map(i -> Event.<Object>of(Map.of("feed", feed.state().label())).name("ping"));
    return Flux.merge(live, pings)
        .startWith(
            Flux.defer(
                () ->
                    Flux.just(
                        Event.<Object>of(Map.of("tenant", tenant, "feed", feed.state().label()))
                            .name("hello"))));
  }
}
