#!/usr/bin/env bash
# ./ledger bundle: the offline bundle (infra/bundle/README.md).
#
# Builds the broker, the server and the CLI from the current commit with reproducible timestamps,
# makes a Java runtime with jlink from the build's JDK, and writes
#   dist/rollout-ledger-VERSION-linux-x86_64.tar.gz        everything: bin/ledger up works offline
#   dist/rollout-ledger-agent-VERSION-linux-x86_64.tar.gz  the CLI, the runtime, bin/ledger-agent, its unit
# each with SHA256SUMS of every file and SHA256SUMS.sig, a detached SSH signature of it
# (ssh-keygen -Y sign) by the release key, and allowed_signers.
#
# Settings (environment):
#   LEDGER_RELEASE_KEY   the release key (an OpenSSH private key file): for a release, the project's,
#                        whose public half is infra/bundle/release-allowed-signers (the maintainers
#                        hold it offline); tests use throwaway keys. Absent: a key made for this
#                        machine, dist/release-key, with a warning (it proves nothing about the publisher)
#   LEDGER_BUNDLE_DIST   where the bundles go (default: dist/ in the checkout)
#   LEDGER_SKIP_BUILD=1  package what was built last instead of building (not reproducible from the commit)
#   LEDGER_MAVEN_ARGS    extra Maven arguments (the SBOM plugin needs Maven online: no -o)
#   SOURCE_DATE_EPOCH    the time written into every jar and tar entry (default: the commit's time)
#   LEDGER_BUNDLE_SBOM   the CycloneDX SBOM to ship (default: target/rollout-ledger.cdx.json, made by
#                        the build's -Psbom; CI's check, infra/bundle/pom.xml, makes its own from the
#                        same three modules' runtime dependencies)
set -euo pipefail

case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) printf 'bundle: no arguments but --help (settings are environment variables; --help lists them)\n' >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dist="${LEDGER_BUNDLE_DIST:-$root/dist}"
namespace=rollout-ledger-release
identity=release@rollout-ledger

say() { printf '%s\n' "$*"; }
warn() { printf 'ledger bundle: warning: %s\n' "$*" >&2; }
die() { printf 'ledger bundle: %s\n' "$*" >&2; exit 1; }

cd "$root"
# The commit and its time (one commit: a shallow clone does); outside a git checkout, a bundle that
# says so and is not reproducible.
if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  commit="$(git rev-parse HEAD)"
  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
  if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
    warn "the working tree has uncommitted changes: this bundle is not the commit $commit"
    commit="$commit-dirty"
  fi
else
  warn "not a git checkout: BUILD-INFO says commit=unknown, and the bundle is not reproducible"
  commit=unknown
  export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(date +%s)}"
fi

# the JDK that builds is the JDK jlink takes the runtime from
if [[ -n "${JAVA_HOME:-}" ]]; then jdk="$JAVA_HOME"; else jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; fi
[[ -x "$jdk/bin/jlink" && -d "$jdk/jmods" ]] || die "no jlink and jmods in $jdk (set JAVA_HOME to a full JDK 17)"

start=$SECONDS
if [[ "${LEDGER_SKIP_BUILD:-0}" != 1 ]]; then
  say "building $commit (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH) ..."
  # clean: a class or jar left from an earlier build must not reach the bundle
  # shellcheck disable=SC2086 # LEDGER_MAVEN_ARGS is a list of arguments
  ./mvnw -q -B ${LEDGER_MAVEN_ARGS:-} -DskipTests -Psbom \
    -Dproject.build.outputTimestamp="$SOURCE_DATE_EPOCH" \
    -pl infra/broker,services/cli,services/server -am clean package || die "build failed"
  say "  built in $((SECONDS - start)) s"
fi

mkdir -p "$dist"
# dist/ holds a local release key: never committed by accident
[[ -f "$dist/.gitignore" ]] || printf '*\n' >"$dist/.gitignore"
stage="$(mktemp -d "$dist/.stage.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

# shellcheck source=infra/bundle/stage.sh
source "$here/stage.sh"

version="$(module_jar services/server ledger-server | sed -E 's/.*ledger-server-(.*)\.jar$/\1/')"
[[ -n "$version" ]] || die "no server jar in services/server/target"
platform=linux-x86_64
[[ "$(uname -m)" == x86_64 ]] || die "this script makes linux-x86_64 bundles; jlink's runtime is this machine's ($(uname -m))"

# --- the runtime, once, shared by both bundles
say "jlink: the Java runtime ..."
modules="$(grep -vE '^\s*(#|$)' "$here/modules.txt" | paste -sd, -)"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$stage/runtime"

# --- the full bundle
full="rollout-ledger-$version"
b="$stage/$full"
mkdir -p "$b"
cp -RL "$stage/runtime" "$b/runtime"
ship_jar "$b" infra/broker ledger-broker
ship_jar "$b" services/server ledger-server
ship_jar "$b" services/cli ledger-cli
ship_launchers "$b"
ship_docs "$b"
ship_sbom_and_licences "$b"
write_build_info "$b" "$version" "$commit" "$modules"

# --- the agent bundle: the CLI (its `agent` command), the runtime, the agent's unit
agent="rollout-ledger-agent-$version"
a="$stage/$agent"
mkdir -p "$a/bin" "$a/infra/systemd/env" "$a/services/agent"
cp -RL "$stage/runtime" "$a/runtime"
# `ledger agent` never opens a Kafka Streams state store: RocksDB's jar (about 70 MB of native
# libraries for every platform) stays out. A Class-Path entry that is missing is skipped by the JVM;
# offline-install-test.sh runs an agent of this bundle through the walkthrough.
ship_jar "$a" services/cli ledger-cli '^lib/rocksdbjni-'
install -m 0755 "$here/bin/ledger-agent" "$a/bin/ledger-agent"
cp infra/systemd/rollout-ledger-agent.service infra/systemd/rollout-ledger.sysusers.conf \
  infra/systemd/rollout-ledger.tmpfiles.conf infra/systemd/README.md "$a/infra/systemd/"
cp infra/systemd/env/agent.env "$a/infra/systemd/env/"
cp services/agent/README.md "$a/services/agent/"
cp "$here/README.md" "$a/BUNDLE.md"
ship_sbom_and_licences "$a"
write_build_info "$a" "$version" "$commit" "$modules"

# --- sign and pack
key="$(release_key)"
for dir in "$b" "$a"; do
  sign_bundle "$dir" "$key"
  pack "$stage" "$(basename "$dir")" "$dist/$(basename "$dir")-$platform.tar.gz"
done
make_allowed_signers "$key" >"$dist/allowed_signers"
# the project's release key (infra/bundle/release-allowed-signers) or another one: say which
if grep -qxF "$(cat "$dist/allowed_signers")" "$here/release-allowed-signers"; then
  signed_by="the project's release key (infra/bundle/release-allowed-signers)"
else
  signed_by="a key that is NOT the project's release key: check with --allowed-signers $dist/allowed_signers"
fi

say ""
for f in "$dist/$full-$platform.tar.gz" "$dist/$agent-$platform.tar.gz"; do
  say "$(sha256sum "$f" | cut -d' ' -f1)  $(du -h "$f" | cut -f1)  $f"
done
say "  allowed signers: $dist/allowed_signers   (check: ./ledger verify-bundle FILE --allowed-signers FILE)"
say "  signed by $signed_by"
say "  done in $((SECONDS - start)) s"
