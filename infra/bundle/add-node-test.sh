#!/usr/bin/env bash
# Add a node from the same bundle (issue 19, item 2), checked end to end:
#   - machine A: the bundle extracted, `bin/ledger up` (broker and server), a short walkthrough
#     (two agents, a promotion, a HALT of r-291);
#   - machine B: a second copy of the same bundle, its own LEDGER_HOME and HTTP port, joins A's
#     broker as another server instance of the deployment, the way README.md ("More than one
#     instance") and docs/keys.md ("A second instance") say: A's key directory and A's Kafka client
#     settings copied to B, KAFKA_BOOTSTRAP_SERVERS pointing at A's broker;
#   - both instances answer r-291's status and ledger with the same bytes (ADR 0010: the instance
#     that does not hold the tenant forwards the read to the one that does);
#   - A's server stops (its broker stays: B uses it); B still answers the same bytes, and decides a
#     new rollout r-292 on its own.
# One machine only, so "machine B" is a directory and a port: both run in one network namespace
# with only loopback (unshare -n), no JDK or Maven, HOME an empty directory, as
# offline-install-test.sh does. Prints every step; exits non-zero at the first that fails.
#
#   infra/bundle/add-node-test.sh [BUNDLE.tar.gz [ALLOWED_SIGNERS]]
#
# Defaults: the newest dist/rollout-ledger-*-linux-x86_64.tar.gz and dist/allowed_signers (the
# agent bundle beside it is not needed). Needs root (unshare), util-linux, iproute2 and curl.
# Keeps its temp dir on failure (it says where).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

bundle="${1:-$(ls -t "$root"/dist/rollout-ledger-[0-9]*-linux-x86_64.tar.gz 2>/dev/null | head -n 1 || true)}"
signers="${2:-$root/dist/allowed_signers}"
[[ -f "$bundle" ]] || { echo "add-node-test: no bundle (run ./ledger bundle first)" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || { echo "add-node-test: needs root (unshare -n)" >&2; exit 2; }
bundle="$(readlink -f "$bundle")"

work="$(mktemp -d /tmp/ledger-add-node.XXXXXX)"
echo "== bundle  $bundle"
echo "   sha256  $(sha256sum "$bundle" | cut -d' ' -f1)   $(du -h "$bundle" | cut -f1)"
echo "   work    $work"
echo "== verify the bundle"
if [[ -f "$signers" ]]; then
  "$here/verify-bundle.sh" "$bundle" --allowed-signers "$signers"
else
  "$here/verify-bundle.sh" "$bundle"
fi
echo "== extract it twice: machine A and machine B"
for m in a b; do
  mkdir -p "$work/$m/opt" "$work/$m/home"
  tar -xzf "$bundle" -C "$work/$m/opt"
  echo "   $m: $work/$m/opt/$(ls "$work/$m/opt")  (LEDGER_HOME $work/$m/home/ledger)"
done
top="$(ls "$work/a/opt")"

cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
work=$1 top=$2
A="$work/a/opt/$top" B="$work/b/opt/$top"
A_HOME="$work/a/home/ledger" B_HOME="$work/b/home/ledger"
step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
on_a() { printf '[A]$ bin/ledger %s\n' "$*"; (cd "$A" && HOME="$work/a/home" LEDGER_HOME="$A_HOME" bin/ledger "$@"); }
# machine B's launcher: A's broker, its own home and port
b_env() {
  HOME="$work/b/home" LEDGER_HOME="$B_HOME" LEDGER_HTTP_PORT=8081 KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 \
    LEDGER_KAFKA_CLIENT_PROPERTIES="$B_HOME/kafka-client.properties" LEDGER_TOKEN_FILE="$B_HOME/admin.token" "$@"
}
on_b() { printf '[B]$ bin/ledger %s\n' "$*"; (cd "$B" && b_env bin/ledger "$@"); }
token() { cat "$A_HOME/bootstrap-admin.token"; }
get() { # port path -> body on stdout, status code in $work/code
  curl -sS -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $(token)" "http://127.0.0.1:$1$2" >"$work/code" || true
  cat "$work/body"
}
agents=()
cleanup() {
  if (( ${#agents[@]} )); then kill "${agents[@]}" 2>/dev/null || true; fi
  (cd "$B" && b_env bin/ledger down >/dev/null 2>&1) || true
  (cd "$A" && HOME="$work/a/home" LEDGER_HOME="$A_HOME" bin/ledger down >/dev/null 2>&1) || true
}
trap cleanup EXIT

step "the machine: loopback only, no JDK, no Maven"
ip link set lo up
for d in /usr/lib/jvm /usr/share/maven /root/.m2; do
  if [[ -d "$d" ]]; then mount -t tmpfs -o ro,size=1m tmpfs "$d"; fi
done
run ip -brief link
if timeout 5 bash -c 'exec 3<>/dev/tcp/1.1.1.1/443' 2>/dev/null; then echo "FAIL: the network is reachable"; exit 1; fi
if java -version >/dev/null 2>&1; then echo "FAIL: a java runs"; exit 1; fi
echo "network: 1.1.1.1:443 unreachable; java: none on PATH; mvn: none"

step "machine A: bin/ledger up"
on_a up

step "machine A: a short walkthrough (two agents, a promotion, a HALT of r-291)"
export LEDGER_TENANT=default
demo="$work/a/demo"
mkdir -p "$demo/artifacts"
on_a hosts register web-1 --label env=dev
on_a hosts register web-2 --label env=staging
echo "channel file 291" >"$demo/artifacts/cf-291"
on_a release publish cf-291 --file "$demo/artifacts/cf-291" --publisher vendor
on_a keys --out "$demo/keys.json"
(cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" bin/ledger token create agent-web-1 --role agent --host web-1) >"$demo/web-1.token"
(cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" bin/ledger token create agent-web-2 --role agent --host web-2) >"$demo/web-2.token"
(cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" exec bin/ledger agent --host web-1 --token-file "$demo/web-1.token" \
  --keys "$demo/keys.json" --artifacts "$demo/artifacts" --dir "$demo/web-1" --heartbeat PT2S --metric cpu=0.3) \
  >"$demo/web-1.log" 2>&1 &
agents+=($!)
(cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" exec bin/ledger agent --host web-2 --token-file "$demo/web-2.token" \
  --keys "$demo/keys.json" --artifacts "$demo/artifacts" --dir "$demo/web-2" --heartbeat PT2S --drill-crash-after-apply) \
  >"$demo/web-2.log" 2>&1 &
agents+=($!)
cat >"$demo/plan.json" <<'PLAN'
{"waves": [
  {"name": "dev",     "selector": {"env": "dev"},     "bake": "PT15S", "maxCrashFraction": 0.25},
  {"name": "staging", "selector": {"env": "staging"}, "bake": "PT15S", "maxCrashFraction": 0.25}]}
PLAN
deadline=$((SECONDS + 90))
until [[ "$(cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" bin/ledger hosts --liveness alive -o json | grep -o '"host" *: *"web-[12]"' | wc -l)" == 2 ]]; do
  (( SECONDS < deadline )) || { echo "FAIL: the agents were not seen alive in 90 s"; tail -n 20 "$demo"/web-*.log; exit 1; }
  sleep 1
done
on_a rollout create r-291 --release cf-291 --plan "$demo/plan.json"
deadline=$((SECONDS + 120))
until (cd "$A" && LEDGER_HOME="$A_HOME" HOME="$work/a/home" bin/ledger rollout status r-291 -o json) | grep -q '"status" *: *"HALTED"'; do
  (( SECONDS < deadline )) || { echo "FAIL: r-291 did not halt in 120 s"; on_a rollout status r-291 || true; exit 1; }
  sleep 2
done
on_a rollout status r-291
kill "${agents[@]}" 2>/dev/null || true
wait "${agents[@]}" 2>/dev/null || true
agents=()
echo "(the agents stop: what follows reads and decides without them)"

step "machine B: the same bundle joins A's deployment as a second server instance"
echo "# what B gets from A (docs/keys.md, README.md \"More than one instance\"): the deployment's"
echo "# command-signing key directory, the server's Kafka client settings, and an admin token"
run mkdir -p "$B_HOME"
run cp -r "$A_HOME/keys" "$B_HOME/keys"
run cp "$A_HOME/kafka/credentials/ledger-server.properties" "$B_HOME/kafka-client.properties"
run install -m 600 "$A_HOME/bootstrap-admin.token" "$B_HOME/admin.token"
echo "[B]\$ LEDGER_HOME=$B_HOME LEDGER_HTTP_PORT=8081 KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 \\"
echo "     LEDGER_KAFKA_CLIENT_PROPERTIES=$B_HOME/kafka-client.properties bin/ledger up"
(cd "$B" && b_env bin/ledger up)
run curl -fsS http://127.0.0.1:8081/health; echo
if [[ -f "$B_HOME/bootstrap-admin.token" ]]; then
  echo "FAIL: B made an admin token of its own (the tenant has A's)"; exit 1
fi
echo "B made no admin token of its own: the tenant's tokens are the deployment's (ledger.tokens)"

step "both instances answer for the tenant: the same keys, rollouts and ledger"
fail=0
for path in /api/v1/keys /api/v1/tenants/default/rollouts /api/v1/tenants/default/rollouts/r-291 \
    /api/v1/tenants/default/rollouts/r-291/ledger; do
  deadline=$((SECONDS + 60))
  while true; do
    get 8080 "$path" >"$work/a.json"; ca="$(cat "$work/code")"
    get 8081 "$path" >"$work/b.json"; cb="$(cat "$work/code")"
    [[ "$ca" == 200 && "$cb" == 200 ]] && break
    # 503 + Retry-After while the tenant's partition moves between the instances (ADR 0010)
    (( SECONDS < deadline )) || { echo "FAIL: GET $path: A $ca, B $cb"; cat "$work/a.json" "$work/b.json"; exit 1; }
    sleep 1
  done
  if cmp -s "$work/a.json" "$work/b.json"; then verdict=same; else verdict=DIFFERENT; fail=1; fi
  printf 'GET %-45s A(:8080) %s  B(:8081) %s  %s  sha256 %s\n' "$path" "$ca" "$cb" "$verdict" \
    "$(sha256sum <"$work/b.json" | cut -c1-16)"
  case "$path" in */r-291) cp "$work/b.json" "$work/r-291.status.json" ;; */r-291/ledger) cp "$work/b.json" "$work/r-291.ledger.json" ;; esac
done
(( fail == 0 )) || { echo "FAIL: the instances answered different bodies"; exit 1; }
on_b rollout status r-291
on_b tail r-291

step "machine A's server stops (A's broker stays up: B uses it)"
echo "[A]\$ kill \$(cat $A_HOME/server.pid)"
pid="$(cat "$A_HOME/server.pid")"
kill "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "FAIL: A's server did not stop"; exit 1; fi
rm -f "$A_HOME/server.pid"
on_a status || true
if curl -s -o /dev/null http://127.0.0.1:8080/health; then echo "FAIL: :8080 still answers"; exit 1; fi
echo ":8080 no longer answers"

step "B alone answers the same bytes"
start=$SECONDS
for path in /api/v1/tenants/default/rollouts/r-291 /api/v1/tenants/default/rollouts/r-291/ledger; do
  deadline=$((SECONDS + 90))
  until [[ "$(get 8081 "$path" >"$work/b.json"; cat "$work/code")" == 200 ]]; do
    (( SECONDS < deadline )) || { echo "FAIL: GET $path on B: $(cat "$work/code")"; cat "$work/b.json"; exit 1; }
    sleep 1
  done
  case "$path" in */ledger) want="$work/r-291.ledger.json" ;; *) want="$work/r-291.status.json" ;; esac
  if ! cmp -s "$want" "$work/b.json"; then echo "FAIL: GET $path differs from before"; diff "$want" "$work/b.json" || true; exit 1; fi
  printf 'GET %-45s B(:8081) 200  same as before A stopped\n' "$path"
done
echo "(B answered for the tenant $((SECONDS - start)) s after A's server stopped)"

step "B decides on its own: a new release and rollout r-292"
echo "channel file 292" >"$demo/artifacts/cf-292"
on_b release publish cf-292 --file "$demo/artifacts/cf-292" --publisher vendor
on_b rollout create r-292 --release cf-292 --plan "$demo/plan.json"
deadline=$((SECONDS + 90))
until (cd "$B" && b_env bin/ledger tail r-292 2>/dev/null) | grep -q 'WaveStarted'; do
  (( SECONDS < deadline )) || { echo "FAIL: B did not decide r-292 in 90 s"; on_b rollout status r-292 || true; exit 1; }
  sleep 1
done
on_b rollout status r-292
on_b tail r-292

step "stop B, then A's broker"
on_b down
on_a down
echo
echo "ADD A NODE: OK"
INSIDE

set +e
unshare --net --mount --propagation private -- \
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb \
  bash "$work/inside.sh" "$work" "$top"
status=$?
set -e
if (( status == 0 )); then
  rm -rf "$work"
else
  echo "add-node-test: FAILED (status $status); the bundles, their data and logs stay in $work" >&2
  echo "  logs: $work/a/home/ledger/logs $work/b/home/ledger/logs" >&2
fi
exit $status
