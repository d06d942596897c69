package dev.rolloutledger.loadtests.fleet;

/** Where the report's lines go. */
public interface Report {
  void add(String line);
}
