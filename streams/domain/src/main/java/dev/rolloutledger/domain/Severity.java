package dev.rolloutledger.domain;

/** How urgent a release is. The first slice stores it and does not act on it. */
public enum Severity {
  NORMAL,
  EMERGENCY
}
