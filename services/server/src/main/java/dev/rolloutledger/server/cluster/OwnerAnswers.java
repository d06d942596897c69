package dev.rolloutledger.server.cluster;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A route that reads the tenant's state (rollouts, ledger, hosts, releases, policy): the instance
 * whose topology owns the tenant's partition answers it. On any other instance, {@link
 * OwnerRouting} forwards the request there (docs/adr/0010-every-instance-answers.md). Routes that
 * only publish an input (telemetry, registrations, a plan) are answered where they land.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface OwnerAnswers {}
