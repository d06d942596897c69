package dev.rolloutledger.server.events;

import dev.rolloutledger.schemas.registry.SchemaRegistry;
import dev.rolloutledger.server.kafka.KafkaBeans.InstalledTopics;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;

/** The live feed of decisions and evidence, started with the server. */
@Factory
public class EventBeans {
  @Context
  @Bean(preDestroy = "close")
  LedgerEventFeed ledgerEventFeed(InstalledTopics topics, SchemaRegistry registry) {
    return new LedgerEventFeed(topics.kafka(), registry);
  }
}
