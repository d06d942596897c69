#!/usr/bin/env bash
# Runs the ledger's local Kafka broker from the built jar (flags: see infra/README.md or --help).
#
# Adds a class-data-sharing archive: the first run records the classes it loads into
# target/ledger-broker.jsa when it stops; later runs map it and reach "ready" in about half the time.
# A rebuild makes the archive stale; it is then recorded again. JVM warnings go to stderr, so
# stdout keeps exactly one line: KAFKA_BOOTSTRAP_SERVERS=host:port.
# Extra JVM options: LEDGER_BROKER_JAVA_OPTS (e.g. "-XX:TieredStopAtLevel=1 -Xmx1g").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$(ls "$here"/target/ledger-broker-*.jar 2>/dev/null | grep -vE -- '-(sources|tests|javadoc)\.jar$' | head -n 1 || true)"
if [[ -z "$jar" ]]; then
  echo "ledger-broker: no jar in $here/target; build it first: ./mvnw -q -B -pl infra/broker -am install -DskipTests" >&2
  exit 1
fi
jsa="$here/target/ledger-broker.jsa"
cds=()
case " $* " in
  *" --help "* | *" -h "* | *" --topics-only "*) ;;   # short runs: neither record nor need the archive
  *)
    # Usable: newer than the jar and every jar in target/lib (no rebuild since), and recorded by a run
    # that got the broker up (a run that failed early records only a few MB of classes).
    if [[ -f "$jsa" && -z "$(find "$jar" "$here/target/lib" -newer "$jsa" -name '*.jar' 2>/dev/null | head -n 1)" ]] \
       && (( $(stat -c %s "$jsa") > 20000000 )); then
      cds=("-XX:SharedArchiveFile=$jsa")
    else
      rm -f "$jsa"
      cds=("-XX:ArchiveClassesAtExit=$jsa")
    fi
    ;;
esac
# shellcheck disable=SC2086 # LEDGER_BROKER_JAVA_OPTS is a list of options
exec java -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds*=error:stderr ${cds[@]+"${cds[@]}"} ${LEDGER_BROKER_JAVA_OPTS:-} -jar "$jar" "$@"
