package dev.rolloutledger.domain;

import java.time.Instant;

/**
 * A well-formed input that could not be applied. {@code subject} names the object, e.g. {@code
 * rollout:r-42}.
 */
public record Rejection(String tenant, Instant at, String subject, String reason) {

  public Rejection {
    Checks.tenant(tenant);
    Checks.present("at", at);
    Checks.id("subject", subject);
    Checks.id("reason", reason);
  }
}
