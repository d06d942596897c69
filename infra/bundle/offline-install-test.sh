#!/usr/bin/env bash
# The offline install, as a newcomer does it (docs/install.md), checked in conditions that prove it:
#   - a network namespace with only loopback (unshare -n; `ip link set lo up`): no Maven Central,
#     no DNS, nothing but 127.0.0.1;
#   - no JDK and no Maven on the machine: tmpfs over /usr/lib/jvm, /usr/share/maven and ~/.m2 in a
#     private mount namespace (so /usr/bin/java and /usr/bin/mvn point at nothing);
#   - HOME an empty directory, a clean environment (env -i).
# From the bundle extracted in a temp dir: verify it, `bin/ledger up`, wait for health, a short
# version of README's walkthrough with the bundled CLI (two agents, a promotion, a HALT), then
# `bin/ledger down`. Prints every step; exits non-zero at the first that fails.
#
#   infra/bundle/offline-install-test.sh [BUNDLE.tar.gz [ALLOWED_SIGNERS]]
#
# Defaults: the newest dist/rollout-ledger-*-linux-x86_64.tar.gz and dist/allowed_signers. Needs
# root (unshare), util-linux and iproute2. Keeps its temp dir on failure (it says where).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

bundle="${1:-$(ls -t "$root"/dist/rollout-ledger-[0-9]*-linux-x86_64.tar.gz 2>/dev/null | head -n 1 || true)}"
signers="${2:-$root/dist/allowed_signers}"
[[ -f "$bundle" ]] || { echo "offline-install-test: no bundle (run ./ledger bundle first)" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || { echo "offline-install-test: needs root (unshare -n)" >&2; exit 2; }
bundle="$(readlink -f "$bundle")"

work="$(mktemp -d /tmp/ledger-offline.XXXXXX)"
mkdir -p "$work/opt" "$work/home"
echo "== bundle  $bundle"
echo "   sha256  $(sha256sum "$bundle" | cut -d' ' -f1)   $(du -h "$bundle" | cut -f1)"
echo "   work    $work"

echo "== verify the bundle (SHA256SUMS and its signature)"
if [[ -f "$signers" ]]; then
  "$here/verify-bundle.sh" "$bundle" --allowed-signers "$signers"
else
  "$here/verify-bundle.sh" "$bundle"
fi

echo "== extract"
tar -xzf "$bundle" -C "$work/opt"
top="$(ls "$work/opt")"
echo "   $work/opt/$top: $(ls "$work/opt/$top" | paste -sd' ')"
# the agent bundle beside it (same version): web-1's agent runs from it
agent_bundle="$(dirname "$bundle")/$(basename "$bundle" | sed 's/^rollout-ledger-/rollout-ledger-agent-/')"
[[ -f "$agent_bundle" ]] || { echo "offline-install-test: no agent bundle $agent_bundle" >&2; exit 2; }
echo "== verify and extract the agent bundle $(basename "$agent_bundle")"
if [[ -f "$signers" ]]; then
  "$here/verify-bundle.sh" "$agent_bundle" --allowed-signers "$signers"
else
  "$here/verify-bundle.sh" "$agent_bundle"
fi
mkdir -p "$work/agent"
tar -xzf "$agent_bundle" -C "$work/agent"
agent_top="$work/agent/$(ls "$work/agent")"

cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
dir=$1 agent_dir=$2
cd "$dir"
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
agents=()
# whatever happens, nothing started here outlives the namespace's script
cleanup() {
  if (( ${#agents[@]} )); then kill "${agents[@]}" 2>/dev/null || true; fi
  bin/ledger down >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "the machine as the bundle sees it"
ip link set lo up
for d in /usr/lib/jvm /usr/share/maven /root/.m2; do
  if [[ -d "$d" ]]; then mount -t tmpfs -o ro,size=1m tmpfs "$d"; fi
done
run ip -brief link
if timeout 5 bash -c 'exec 3<>/dev/tcp/1.1.1.1/443' 2>/dev/null; then
  echo "FAIL: the network is reachable"; exit 1
fi
echo "network: 1.1.1.1:443 unreachable (only loopback)"
if java -version >/dev/null 2>&1; then echo "FAIL: a java runs"; exit 1; fi
echo "java on PATH: $(command -v java || echo none) -> does not run ($(java -version 2>&1 | head -n 1 || true))"
if mvn -v >/dev/null 2>&1; then echo "FAIL: mvn runs"; exit 1; fi
echo "mvn: does not run;  HOME=$HOME: $(ls -A "$HOME" | wc -l) entries;  ~/.m2: $([[ -e $HOME/.m2 ]] && echo present || echo absent)"

step "bin/ledger up"
start=$SECONDS
run bin/ledger up
echo "(up in $((SECONDS - start)) s)"
run bin/ledger status
run curl -fsS http://127.0.0.1:8080/health; echo

step "the walkthrough, short (README.md): two agents, a promotion, a HALT"
export LEDGER_TENANT=default
umask 077 && mkdir -p demo/artifacts
run bin/ledger hosts register web-1 --label env=dev
run bin/ledger hosts register web-2 --label env=staging
echo "channel file 291" > demo/artifacts/cf-291
run bin/ledger release publish cf-291 --file demo/artifacts/cf-291 --publisher vendor
run bin/ledger keys --out demo/keys.json
bin/ledger token create agent-web-1 --role agent --host web-1 > demo/web-1.token
bin/ledger token create agent-web-2 --role agent --host web-2 > demo/web-2.token
echo "tokens: demo/web-1.token demo/web-2.token"
# web-1's agent from the agent bundle (as a host of the fleet runs it), web-2's from the full one
echo "web-1: $agent_dir/bin/ledger-agent;  web-2: bin/ledger agent"
LEDGER_SERVER=http://127.0.0.1:8080 "$agent_dir/bin/ledger-agent" --host web-1 --token-file demo/web-1.token \
    --keys demo/keys.json --artifacts demo/artifacts --dir demo/web-1 --heartbeat PT2S --metric cpu=0.3 \
    >demo/web-1.log 2>&1 &
agents+=($!)
bin/ledger agent --host web-2 --token-file demo/web-2.token --keys demo/keys.json \
    --artifacts demo/artifacts --dir demo/web-2 --heartbeat PT2S --drill-crash-after-apply >demo/web-2.log 2>&1 &
agents+=($!)
cat > demo/plan.json <<'PLAN'
{"waves": [
  {"name": "dev",     "selector": {"env": "dev"},     "bake": "PT15S", "maxCrashFraction": 0.25},
  {"name": "staging", "selector": {"env": "staging"}, "bake": "PT15S", "maxCrashFraction": 0.25}]}
PLAN
deadline=$((SECONDS + 90))
until [[ "$(bin/ledger hosts --liveness alive -o json | grep -o '"host" *: *"web-[12]"' | wc -l)" == 2 ]]; do
  (( SECONDS < deadline )) || { echo "FAIL: the agents were not seen alive in 90 s"; tail -n 20 demo/web-*.log; exit 1; }
  sleep 1
done
run bin/ledger hosts
run bin/ledger rollout create r-291 --release cf-291 --plan demo/plan.json
deadline=$((SECONDS + 120))
until bin/ledger rollout status r-291 -o json | grep -q '"status" *: *"HALTED"'; do
  (( SECONDS < deadline )) || { echo "FAIL: r-291 did not halt in 120 s"; bin/ledger rollout status r-291 || true; exit 1; }
  sleep 2
done
run bin/ledger rollout status r-291
run bin/ledger tail r-291 | tee demo/tail.txt
for want in "WavePromoted  wave dev" "RolloutHalted  wave staging"; do
  grep -q "$want" demo/tail.txt || { echo "FAIL: the ledger has no '$want'"; exit 1; }
done
echo "agent web-1: $(grep -c 'ACTED' demo/web-1.log) commands acted on; installed: $(cat demo/web-1/installed/current 2>/dev/null || readlink demo/web-1/installed/current || echo '?')"
kill "${agents[@]}" 2>/dev/null || true
wait "${agents[@]}" 2>/dev/null || true
agents=()

step "bin/ledger down"
run bin/ledger down
bin/ledger status || true
echo
echo "OFFLINE INSTALL: OK"
INSIDE

set +e
unshare --net --mount --propagation private -- \
  env -i HOME="$work/home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb bash "$work/inside.sh" "$work/opt/$top" "$agent_top"
status=$?
set -e
if (( status == 0 )); then
  rm -rf "$work"
else
  echo "offline-install-test: FAILED (status $status); the extracted bundle, its data and logs stay in $work" >&2
  echo "  logs: $work/home/.local/share/rollout-ledger/logs" >&2
fi
exit $status
