#!/usr/bin/env bash
# Measures the local broker's start: a cold start (fresh data dir) and a warm one (same dir again).
# usage: infra/broker/measure-start.sh [RUNS (default 3)] [PORT (default 19092)] [plain]
# Prints, per start: ms from process start until the client port accepts a connection, ms until the
# KAFKA_BOOTSTRAP_SERVERS= line, the launcher's own breakdown (format, broker start, topics), and the
# ms a SIGTERM takes to a clean stop. Uses ledger-broker.sh (with its class-data-sharing archive;
# LEDGER_BROKER_JAVA_OPTS passes JVM options through), or plain `java -jar` with a third argument `plain`.
set -euo pipefail
runs=${1:-3}
port=${2:-19092}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
launch=("$here/ledger-broker.sh")
if [[ "${3:-}" == plain ]]; then
  launch=(java -jar "$(ls "$here"/target/ledger-broker-*.jar | grep -vE -- '-(sources|tests|javadoc)\.jar$' | head -n 1)")
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
now() { date +%s%N; }
one() { # label dir
  local label=$1 dir=$2 s e p="" r="" pid rc
  s=$(now)
  "${launch[@]}" --data-dir "$dir/kafka" --port "$port" >"$work/out" 2>"$work/err" &
  pid=$!
  while [[ -z "$r" ]]; do
    kill -0 "$pid" 2>/dev/null || { echo "$label: broker died" >&2; cat "$work/err" >&2; exit 1; }
    if [[ -z "$p" ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then p=$(( ($(now) - s) / 1000000 )); fi
    grep -q '^KAFKA_BOOTSTRAP_SERVERS=' "$work/out" && r=$(( ($(now) - s) / 1000000 ))
    sleep 0.02
  done
  local detail; detail=$(grep -o 'format [0-9]* ms, broker start [0-9]* ms, topics [0-9]* ms: [0-9]* of [0-9]* created' "$work/err")
  s=$(now); kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?
  e=$(( ($(now) - s) / 1000000 ))
  printf '%-5s load %-4s port open %5d ms | ready line %5d ms | %s | SIGTERM -> exit %d in %d ms\n' "$label" "$(cut -d' ' -f1 /proc/loadavg)" "${p:-0}" "$r" "$detail" "$rc" "$e"
}
echo "${launch[*]##*/}: load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(java -version 2>&1 | head -1)"
for i in $(seq 1 "$runs"); do
  d="$work/run$i"; mkdir -p "$d"
  one cold "$d"
  one warm "$d"
done
