package dev.rolloutledger.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rolloutledger.server.TestServer;
import dev.rolloutledger.server.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code GET .../events} against a real server and broker: the first event says whether the
 * server's reader of the ledger follows it, so a page knows from the start whether it is live.
 */
class EventsStreamIT {

  @Test
  void hello_says_the_servers_reader_follows_the_ledger() throws Exception {
    String tenant = "e" + UUID.randomUUID().toString().substring(0, 8);
    try (TestServer server =
        new TestServer("it-events-" + UUID.randomUUID(), Files.createTempDirectory("ledger-it"))) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(server.url("/api/v1/tenants/" + tenant + "/events")))
              .header("Authorization", "Bearer " + server.token(tenant, Role.VIEWER))
              .header("Accept", "text/event-stream")
              .timeout(Duration.ofSeconds(30))
              .build();
      HttpResponse<Stream<String>> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      try (Stream<String> lines = response.body()) {
        Iterator<String> it = lines.iterator();
        String event = null;
        String data = null;
        while (data == null && it.hasNext()) {
          String line = it.next();
          if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            data = line.substring(5).trim();
          }
        }
        assertThat(event).isEqualTo("hello");
        assertThat(data)
            .contains("\"tenant\":\"" + tenant + "\"")
            .contains("\"feed\":\"following\"");
      }
      assertThat(server.bean(LedgerEventFeed.class).state())
          .isEqualTo(LedgerEventFeed.State.FOLLOWING);
    }
  }
}
