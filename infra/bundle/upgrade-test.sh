#!/usr/bin/env bash
# Upgrade and downgrade between two bundles on one data directory (issue 19, item 2):
#   1. version N (OLD) runs: a short walkthrough (r-290 completes, r-291 halts on a crash), then the
#      JSON of every rollout, every ledger, the releases and the keys is saved; N stops;
#   2. N+1 (NEW), checked with N's `bin/ledger verify-bundle` (the installed bundle's key), starts
#      on N's LEDGER_HOME and must answer every saved JSON unchanged; it keeps working: a new
#      rollout r-293 completes; its JSON is saved; N+1 stops;
#   3. N starts again on the data N+1 wrote and must answer N+1's JSON unchanged (r-293
#      included); it keeps working too: r-294 completes.
# "Unchanged": the same bytes, or, when the two versions render differently, every field the
# older version shows is in the newer one's answer with the same value (a newer version may add
# optional fields, never drop or change one); the script says which of the two it found.
# Versions switch the way docs/install.md says: each bundle in its own directory, a link
# `current` pointing at the one that runs. All in a network namespace with only loopback
# (unshare -n), no JDK or Maven, HOME an empty directory. Prints every step; exits non-zero at the
# first that fails.
#
#   infra/bundle/upgrade-test.sh OLD.tar.gz NEW.tar.gz [ALLOWED_SIGNERS]
#
# ALLOWED_SIGNERS (default dist/allowed_signers) checks OLD; N's bin/ledger checks NEW against the
# key OLD was signed with, as an upgrade does. Needs root (unshare), util-linux, iproute2, curl, jq.
# Keeps its temp dir on failure (it says where).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() { echo "usage: infra/bundle/upgrade-test.sh OLD.tar.gz NEW.tar.gz [ALLOWED_SIGNERS]" >&2; exit 2; }
(( $# >= 2 )) || usage
old="$(readlink -f "$1")" new="$(readlink -f "$2")"
signers="${3:-$root/dist/allowed_signers}"
[[ -f "$old" && -f "$new" ]] || usage
[[ "$(id -u)" == 0 ]] || { echo "upgrade-test: needs root (unshare -n)" >&2; exit 2; }
command -v jq >/dev/null || { echo "upgrade-test: needs jq (Debian: jq)" >&2; exit 2; }

work="$(mktemp -d /tmp/ledger-upgrade.XXXXXX)"
mkdir -p "$work/home" "$work/opt/n" "$work/opt/n1"
echo "== work $work"
for v in "N:$old" "N+1:$new"; do
  echo "== $v"
  echo "   sha256 $(sha256sum "${v#*:}" | cut -d' ' -f1)   $(du -h "${v#*:}" | cut -f1)"
done
echo "== verify N"
if [[ -f "$signers" ]]; then
  "$here/verify-bundle.sh" "$old" --allowed-signers "$signers"
else
  "$here/verify-bundle.sh" "$old"
fi
tar -xzf "$old" -C "$work/opt/n"
n="$work/opt/n/$(ls "$work/opt/n")"
echo "   N   $n: $(grep -E '^(version|commit)=' "$n/BUILD-INFO" | paste -sd' ')"

cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
work=$1 n=$2 new=$3
export LEDGER_HOME="$work/home/ledger" LEDGER_TENANT=default
cd "$work"
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
ledger() { printf '$ current/bin/ledger %s\n' "$*"; current/bin/ledger "$@"; }
quiet() { current/bin/ledger "$@"; }
agents=()
stop_agents() {
  if (( ${#agents[@]} )); then kill "${agents[@]}" 2>/dev/null || true; wait "${agents[@]}" 2>/dev/null || true; fi
  agents=()
}
cleanup() { stop_agents; current/bin/ledger down >/dev/null 2>&1 || true; }
trap cleanup EXIT

agent() { # host [options]
  local host=$1; shift
  current/bin/ledger agent --host "$host" --token-file "demo/$host.token" --keys demo/keys.json \
    --artifacts demo/artifacts --dir "demo/$host" --heartbeat PT2S "$@" >>"demo/$host.log" 2>&1 &
  agents+=($!)
}
wait_alive() { # host...
  local deadline=$((SECONDS + 90)) h
  for h in "$@"; do
    until quiet hosts --liveness alive -o json | grep -q "\"host\" *: *\"$h\""; do
      (( SECONDS < deadline )) || { echo "FAIL: $h not alive in 90 s"; tail -n 20 "demo/$h.log"; exit 1; }
      sleep 1
    done
  done
}
wait_status() { # rollout status
  local deadline=$((SECONDS + 120))
  until quiet rollout status "$1" -o json 2>/dev/null | grep -q "\"status\" *: *\"$2\""; do
    (( SECONDS < deadline )) || { echo "FAIL: $1 not $2 in 120 s"; quiet rollout status "$1" || true; exit 1; }
    sleep 1
  done
}
# a release and a one-wave rollout of it on web-1, which must complete
one_wave_rollout() { # number
  echo "channel file $1" >"demo/artifacts/cf-$1"
  ledger release publish "cf-$1" --file "demo/artifacts/cf-$1" --publisher vendor
  ledger rollout create "r-$1" --release "cf-$1" --plan demo/plan-dev.json
  wait_status "r-$1" COMPLETED
  ledger tail "r-$1"
}

get() { # path -> body on stdout; the status code in $work/code
  curl -sS -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $(cat "$LEDGER_HOME/bootstrap-admin.token")" \
    "http://127.0.0.1:8080$1" >"$work/code" || true
  cat "$work/body"
}
get_ok() { # path -> body; waits while the state is restored (503 + Retry-After, ADR 0010)
  local deadline=$((SECONDS + 120))
  while true; do
    get "$1" >"$work/got"
    [[ "$(cat "$work/code")" == 200 ]] && { cat "$work/got"; return; }
    (( SECONDS < deadline )) || { echo "FAIL: GET $1: $(cat "$work/code") $(head -c 300 "$work/got")" >&2; exit 1; }
    sleep 1
  done
}
# the JSON a version answers: every rollout, each one's ledger, the releases, the keys
snapshot() { # dir
  local dir=$1 r
  mkdir -p "$dir"
  get_ok /api/v1/tenants/default/rollouts >"$dir/rollouts.json"
  get_ok /api/v1/tenants/default/releases >"$dir/releases.json"
  get_ok /api/v1/keys >"$dir/keys.json"
  for r in $(jq -r '.[].rollout' "$dir/rollouts.json"); do
    get_ok "/api/v1/tenants/default/rollouts/$r" >"$dir/rollout-$r.json"
    get_ok "/api/v1/tenants/default/rollouts/$r/ledger?limit=500" >"$dir/ledger-$r.json"
  done
  printf '%s: %s rollouts (%s), %s ledger entries, %s releases, %s keys\n' "$(basename "$dir")" \
    "$(jq length "$dir/rollouts.json")" "$(jq -r '[.[] | .rollout + " " + .status] | join(", ")' "$dir/rollouts.json")" \
    "$(cat "$dir"/ledger-*.json | jq -s '[.[].entries | length] | add')" "$(jq length "$dir/releases.json")" \
    "$(jq '.keys // . | length' "$dir/keys.json")"
}
# every field of A (the older version's answer) is in B with the same value; B may add fields
within='def within($a; $b):
  if ($a | type) != ($b | type) then false
  elif ($a | type) == "object" then all($a | keys[]; . as $k | ($b | has($k)) and within($a[$k]; $b[$k]))
  elif ($a | type) == "array" then ($a | length) == ($b | length) and all(range($a | length); . as $i | within($a[$i]; $b[$i]))
  else $a == $b end;'
compare() { # saved-dir  older-version-dir newer-version-dir (one of them is the saved one)
  local saved=$1 older=$2 newer=$3 f name fail=0 added
  for f in "$saved"/*.json; do
    name="$(basename "$f")"
    get_ok "$(path_of "$name")" >"$work/now/$name"
    if cmp -s "$f" "$work/now/$name"; then
      printf '  %-26s same bytes\n' "$name"
    elif jq -n -e --slurpfile a "$older/$name" --slurpfile b "$newer/$name" "$within"' within($a[0]; $b[0])' >/dev/null; then
      added="$(jq -n -r --slurpfile a "$older/$name" --slurpfile b "$newer/$name" \
        '([$b[0] | paths | map(tostring) | join(".")] - [$a[0] | paths | map(tostring) | join(".")]) | .[:4] | join(" ")')"
      printf '  %-26s same fields and values; the newer version adds: %s\n' "$name" "${added:-(order only)}"
    else
      printf '  %-26s CHANGED\n' "$name"; diff <(jq -S . "$f") <(jq -S . "$work/now/$name") | head -n 20 || true
      fail=1
    fi
  done
  (( fail == 0 )) || { echo "FAIL: a rollout, a ledger, a release or a key changed"; exit 1; }
}
path_of() { # snapshot file name -> API path
  case "$1" in
    rollouts.json) echo /api/v1/tenants/default/rollouts ;;
    releases.json) echo /api/v1/tenants/default/releases ;;
    keys.json) echo /api/v1/keys ;;
    rollout-*) local r=${1#rollout-}; echo "/api/v1/tenants/default/rollouts/${r%.json}" ;;
    ledger-*) local r=${1#ledger-}; echo "/api/v1/tenants/default/rollouts/${r%.json}/ledger?limit=500" ;;
  esac
}

step "the machine: loopback only, no JDK, no Maven"
ip link set lo up
for d in /usr/lib/jvm /usr/share/maven /root/.m2; do
  if [[ -d "$d" ]]; then mount -t tmpfs -o ro,size=1m tmpfs "$d"; fi
done
if timeout 5 bash -c 'exec 3<>/dev/tcp/1.1.1.1/443' 2>/dev/null; then echo "FAIL: the network is reachable"; exit 1; fi
if java -version >/dev/null 2>&1; then echo "FAIL: a java runs"; exit 1; fi
echo "network: 1.1.1.1:443 unreachable; java: none on PATH; mvn: none; LEDGER_HOME=$LEDGER_HOME"

step "N: $(grep -E '^commit=' "$n/BUILD-INFO")"
run ln -sfn "${n#$work/}" current
ledger up

step "N: the walkthrough (r-290 completes, r-291 halts: web-2 crashes)"
umask 077 && mkdir -p demo/artifacts
ledger hosts register web-1 --label env=dev
ledger hosts register web-2 --label env=staging
quiet keys --out demo/keys.json
quiet token create agent-web-1 --role agent --host web-1 >demo/web-1.token
quiet token create agent-web-2 --role agent --host web-2 >demo/web-2.token
cat >demo/plan-dev.json <<'PLAN'
{"waves": [{"name": "dev", "selector": {"env": "dev"}, "bake": "PT5S", "maxCrashFraction": 0.25}]}
PLAN
cat >demo/plan.json <<'PLAN'
{"waves": [
  {"name": "dev",     "selector": {"env": "dev"},     "bake": "PT10S", "maxCrashFraction": 0.25},
  {"name": "staging", "selector": {"env": "staging"}, "bake": "PT10S", "maxCrashFraction": 0.25}]}
PLAN
agent web-1 --metric cpu=0.3
agent web-2 --drill-crash-after-apply
wait_alive web-1 web-2
one_wave_rollout 290
echo "channel file 291" >demo/artifacts/cf-291
ledger release publish cf-291 --file demo/artifacts/cf-291 --publisher vendor
ledger rollout create r-291 --release cf-291 --plan demo/plan.json
wait_status r-291 HALTED
ledger tail r-291
stop_agents
snapshot "$work/saved-N"
ledger down

step "N+1: checked by N's bin/ledger against the installed key, extracted beside N"
ledger verify-bundle "$new"
run tar -xzf "$new" -C opt/n1
n1="$work/opt/n1/$(ls opt/n1)"
echo "   N+1 ${n1#$work/}: $(grep -E '^(version|commit)=' "$n1/BUILD-INFO" | paste -sd' ')"
run ln -sfn "${n1#$work/}" current
ledger up

step "N+1 on N's data: every rollout, ledger, release and key as N answered it"
mkdir -p "$work/now"
compare "$work/saved-N" "$work/saved-N" "$work/now"
ledger rollout status r-291

step "N+1 keeps working: r-293 completes"
agent web-1 --metric cpu=0.3
wait_alive web-1
one_wave_rollout 293
stop_agents
snapshot "$work/saved-N+1"
ledger down

step "N again (downgrade) on the data N+1 wrote"
run ln -sfn "${n#$work/}" current
ledger up
rm -rf "$work/now" && mkdir -p "$work/now"
compare "$work/saved-N+1" "$work/now" "$work/saved-N+1"
ledger rollout status r-293

step "N keeps working after the downgrade: r-294 completes"
agent web-1 --metric cpu=0.3
wait_alive web-1
one_wave_rollout 294
stop_agents
ledger down
echo
echo "UPGRADE AND DOWNGRADE: OK"
INSIDE

set +e
unshare --net --mount --propagation private -- \
  env -i HOME="$work/home" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb bash "$work/inside.sh" "$work" "$n" "$new"
status=$?
set -e
if (( status == 0 )); then
  rm -rf "$work"
else
  echo "upgrade-test: FAILED (status $status); the bundles, their data and logs stay in $work" >&2
  echo "  logs: $work/home/ledger/logs" >&2
fi
exit $status
