#!/usr/bin/env bash
# The JDK modules the shipped jars use, as jdeps sees them: compare with modules.txt after a
# dependency changes.   infra/bundle/jdeps-modules.sh [LIB_DIR]
# LIB_DIR: a bundle's lib/ (default: the server's, CLI's and broker's target/ jars and target/lib/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -n "${1:-}" ]]; then
  jars=("$1"/*.jar "$1"/lib/*.jar)
else
  jars=()
  for m in infra/broker services/server services/cli; do
    jars+=("$root/$m"/target/ledger-*.jar "$root/$m"/target/lib/*.jar)
  done
fi
# one copy of each file name (the modules share most dependencies)
declare -A seen
unique=()
for j in "${jars[@]}"; do
  b="$(basename "$j")"
  [[ -n "${seen[$b]:-}" ]] && continue
  seen[$b]=1
  unique+=("$j")
done
jdeps --ignore-missing-deps --multi-release 17 --print-module-deps \
  --class-path "$(IFS=:; echo "${unique[*]}")" "${unique[@]}" | tr ',' '\n'
