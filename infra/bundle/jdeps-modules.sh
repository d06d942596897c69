#!/usr/bin/env bash
# The JDK modules the shipped jars use, as jdeps sees them: compare with modules.txt after a
# dependency changes.   infra/bundle/jdeps-modules.sh [LIB_DIR]
# LIB_DIR: a bundle's lib/ (default: the server's, CLI's and broker's target/ jars and target/lib/).
# A modular jar (module-info.class) makes jdeps resolve its `requires` and stop at the first one
# missing (FindException, even with --ignore-missing-deps): those are unpacked without their
# module-info first, so jdeps reads their classes as plain class path.
set -euo pipefail
shopt -s nullglob
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -n "${1:-}" ]]; then
  jars=("$1"/*.jar "$1"/lib/*.jar)
else
  jars=()
  for m in infra/broker services/server services/cli; do
    jars+=("$root/$m"/target/ledger-*.jar "$root/$m"/target/lib/*.jar)
  done
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
declare -A seen
inputs=()
for j in "${jars[@]}"; do
  b="$(basename "$j" .jar)"
  [[ -n "${seen[$b]:-}" ]] && continue   # the modules share most dependencies
  seen[$b]=1
  # (the listing first: grep -q would end the pipe early, and pipefail count unzip's SIGPIPE)
  if unzip -Z1 "$j" >"$tmp/list" && grep -qE '(^|/)module-info\.class$' "$tmp/list"; then
    mkdir -p "$tmp/$b"
    unzip -q "$j" -d "$tmp/$b" -x 'module-info.class' 'META-INF/versions/*' 2>/dev/null || true
    inputs+=("$tmp/$b")
  else
    inputs+=("$j")
  fi
done
jdeps --ignore-missing-deps --multi-release 17 --print-module-deps "${inputs[@]}" | tr ',' '\n'
