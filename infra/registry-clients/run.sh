#!/usr/bin/env bash
# Real Confluent clients against a running Rollout Ledger server's /registry: Debian's
# python3-confluent-kafka and npm's @kafkajs/confluent-schema-registry look up the telemetry
# subject, write a CrashReport with its top-level union schema in the Confluent wire format and read
# it back; then the server's own ConfluentAvroSerde reads their bytes (WireCheck.java).
#
# Starts nothing: give it a running server. Installs the clients (apt-get as root, npm into this
# directory's node_modules/). Not part of the Maven build. See docs/registry.md.
#
#   infra/registry-clients/run.sh REGISTRY_URL TOKEN
#   e.g. run.sh http://127.0.0.1:8080/registry "$(cat .ledger/bootstrap-admin.token)"
#
# TOKEN: an API token of any role (the clients only read the registry).
set -euo pipefail
if [[ $# -ne 2 ]]; then
  sed -n '2,13p' "$0"
  exit 2
fi
url=${1%/}
token=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$here/out"
mkdir -p "$out"

# Python: Debian's package, its python (not a virtualenv's); python3-avro for the legacy serializer
if ! /usr/bin/python3 -c 'import confluent_kafka, avro' 2>/dev/null; then
  apt-get update -q >/dev/null
  apt-get install -y -q python3-confluent-kafka python3-avro python3-requests >/dev/null
fi
# Node: the registry client into node_modules/ here
if [[ ! -d "$here/node_modules/@kafkajs/confluent-schema-registry" ]]; then
  (cd "$here" && npm install --no-save --no-audit --no-fund --prefix . \
    @kafkajs/confluent-schema-registry@4.1.0 >/dev/null)
fi

/usr/bin/python3 "$here/python_client.py" "$url" "$token" "$out"
(cd "$here" && node node_client.js "$url" "$token" "$out")

# Java: the schemas module's classes and dependencies, offline
(cd "$repo" && ./mvnw -B -o -q -pl schemas compile dependency:build-classpath \
  -Dmdep.outputFile="$out/classpath.txt" >/dev/null)
java -cp "$repo/schemas/target/classes:$(cat "$out/classpath.txt")" \
  "$here/WireCheck.java" "$url" "$token" "$out" 2> >(grep -v SLF4J >&2)
echo "registry clients: python, node and java agree"
