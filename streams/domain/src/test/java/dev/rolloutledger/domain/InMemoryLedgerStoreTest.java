package dev.rolloutledger.domain;

class InMemoryLedgerStoreTest implements LedgerStoreContract {

  @Override
  public LedgerStore newStore() {
    return new InMemoryLedgerStore();
  }
}
