package dev.rolloutledger.server;

import io.micronaut.runtime.Micronaut;

/** Starts the Rollout Ledger server: the topology, the HTTP API and the registry facade. */
public final class Application {
  private Application() {}

  public static void main(String[] args) {
    Micronaut.run(Application.class, args);
  }
}
