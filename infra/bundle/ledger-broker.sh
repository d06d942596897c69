#!/usr/bin/env bash
# The embedded Kafka broker from an unpacked bundle: infra/broker/ledger-broker.sh without a
# build (the jar is lib/ledger-broker.jar; flags: infra/README.md or --help). No class-data-sharing
# archive: a jlink runtime has no base archive to extend, so the broker starts at plain `java -jar`
# speed. JVM warnings go to stderr, so stdout keeps one line: KAFKA_BOOTSTRAP_SERVERS=host:port.
set -euo pipefail
bundle="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
# shellcheck disable=SC2086 # LEDGER_BROKER_JAVA_OPTS is a list of options
exec "$bundle/runtime/bin/java" -Xlog:disable -Xlog:all=warning:stderr ${LEDGER_BROKER_JAVA_OPTS:-} \
  -jar "$bundle/lib/ledger-broker.jar" "$@"
