#!/usr/bin/env bash
# The bundle's own test (a script, not part of ./mvnw verify: two clean builds take minutes).
#   1. Reproducible: ./ledger bundle twice from the same commit, with the same release key, into
#      two directories: both tarballs (full and agent) must have the same SHA-256. When they differ,
#      the files that differ are named (from the two SHA256SUMS).
#   2. verify-bundle accepts the bundle with its publisher's allowed_signers.
#   3. verify-bundle refuses it after: one byte changed in a file (several files: the launcher, a
#      jar, the runtime's modules image, a doc, the SBOM, allowed_signers, and one file drawn at
#      random with a printed seed); a file added; a file removed; a changed file whose SHA256SUMS
#      line was changed to match; a bundle re-signed by another key (with its own allowed_signers);
#      a symbolic link added.
#   4. The standard tool: in the unpacked bundle, `ssh-keygen -Y verify` says the signature of
#      SHA256SUMS is good and `sha256sum -c --strict` finds every file as listed (docs/install.md).
#
#   infra/bundle/bundle-test.sh            build twice, then the checks
#   infra/bundle/bundle-test.sh --once     build once (no reproducibility check)
#   infra/bundle/bundle-test.sh --dist DIR no build: the bundles already in DIR (and DIR/allowed_signers)
#   --quick                                (with any of them) five tamperings, not thirteen: a jar's
#                                          byte, a file added, a sum rewritten, a re-signing, a link
#   SEED=N infra/bundle/bundle-test.sh     the random file of step 3
# Exit 0 when every check holds; prints PASS/FAIL per check. CI runs `--dist DIR --quick` on a
# bundle staged from the reactor's jars (infra/bundle/pom.xml, BundleIT).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
once=0 quick=0 given=""
while (( $# )); do
  case "$1" in
    --once) once=1; shift ;;
    --quick) quick=1; shift ;;
    --dist) (( $# >= 2 )) || { echo "bundle-test: --dist DIR" >&2; exit 2; }; given=$2; once=1; shift 2 ;;
    *) echo "usage: infra/bundle/bundle-test.sh [--once | --dist DIR] [--quick]" >&2; exit 2 ;;
  esac
done

tmp="$(mktemp -d /tmp/ledger-bundle-test.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { printf 'PASS  %s\n' "$*"; }
failed() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# one release key for both builds: the signature is part of the bytes
ssh-keygen -q -t ed25519 -N '' -C 'bundle-test release key' -f "$tmp/release-key" </dev/null
build() { # dist-dir
  local t0=$SECONDS
  LEDGER_RELEASE_KEY="$tmp/release-key" LEDGER_BUNDLE_DIST="$1" "$root/ledger" bundle >"$1.log" 2>&1 \
    || { cat "$1.log"; echo "bundle build failed" >&2; exit 1; }
  echo "built $1 in $((SECONDS - t0)) s"
}

mkdir -p "$tmp/b"
if [[ -n "$given" ]]; then
  ln -s "$(cd "$given" && pwd)" "$tmp/a"
  echo "no build: the bundles in $given"
else
  mkdir -p "$tmp/a"
  build "$tmp/a"
fi
full="$(ls "$tmp"/a/rollout-ledger-[0-9]*-linux-x86_64.tar.gz)"
agent="$(ls "$tmp"/a/rollout-ledger-agent-*-linux-x86_64.tar.gz)"
name="$(basename "$full" -linux-x86_64.tar.gz)"
echo "full  $(sha256sum "$full" | cut -d' ' -f1)  $(du -h "$full" | cut -f1)"
echo "agent $(sha256sum "$agent" | cut -d' ' -f1)  $(du -h "$agent" | cut -f1)"

if (( ! once )); then
  build "$tmp/b"
  for f in "$full" "$agent"; do
    other="$tmp/b/$(basename "$f")"
    echo "  a $(sha256sum "$f" | cut -d' ' -f1)"
    echo "  b $(sha256sum "$other" | cut -d' ' -f1)"
    if cmp -s "$f" "$other"; then
      pass "reproducible: $(basename "$f") is byte-identical in two builds"
    else
      failed "reproducible: $(basename "$f") differs between two builds; files that differ:"
      top="$(tar -tzf "$f" | head -n 1 | cut -d/ -f1)"
      diff <(tar -xzOf "$f" "$top/SHA256SUMS") <(tar -xzOf "$other" "$top/SHA256SUMS") | grep '^[<>]' | head -n 20 || true
    fi
  done
fi

verify() { "$root/infra/bundle/verify-bundle.sh" "$@"; }
if verify "$full" --allowed-signers "$tmp/a/allowed_signers" >"$tmp/ok.log" 2>&1; then
  pass "verify-bundle accepts the bundle: $(sed -n 2p "$tmp/ok.log")"
else
  failed "verify-bundle refused the bundle: $(cat "$tmp/ok.log")"
fi
if verify "$agent" --allowed-signers "$tmp/a/allowed_signers" >"$tmp/ok.log" 2>&1; then
  pass "verify-bundle accepts the agent bundle"
else
  failed "verify-bundle refused the agent bundle: $(cat "$tmp/ok.log")"
fi

# every tampering below starts from a fresh copy of the bundle's tree
tar -xzf "$full" -C "$tmp"
pristine="$tmp/$name"
flip() { # file: change one byte in its middle (or add one to an empty file)
  local f=$1 size off b
  size=$(stat -c %s "$f")
  if (( size == 0 )); then printf 'x' >>"$f"; return; fi
  off=$((size / 2))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf "\\x$(printf %02x $((b ^ 1)))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
refused() { # description; the tree in $tmp/t/$name was changed: pack it and expect a refusal
  (cd "$tmp/t" && tar -cf - "$name" | gzip -1 >"$tmp/t.tar.gz")
  if verify "$tmp/t.tar.gz" --allowed-signers "$tmp/a/allowed_signers" >"$tmp/v.log" 2>&1; then
    failed "accepted after: $1"
  elif grep -q 'REFUSED' "$tmp/v.log"; then
    pass "refused after $1: $(grep -m1 REFUSED "$tmp/v.log" | cut -c 1-160)"
  else
    failed "after $1, verify-bundle failed without saying why: $(cat "$tmp/v.log")"
  fi
}
fresh() { rm -rf "$tmp/t" && mkdir "$tmp/t" && cp -a "$pristine" "$tmp/t/"; t="$tmp/t/$name"; }

seed="${SEED:-$RANDOM}"
mapfile -t files < <(cd "$pristine" && find . -type f -printf '%P\n' | LC_ALL=C sort)
random_file="${files[$((seed % ${#files[@]}))]}"
(( quick )) || echo "random file (SEED=$seed): $random_file"

# 4. the standard tool, as docs/install.md has a newcomer run it
if (cd "$pristine" && ssh-keygen -Y verify -f "$tmp/a/allowed_signers" -I release@rollout-ledger \
      -n rollout-ledger-release -s SHA256SUMS.sig <SHA256SUMS >"$tmp/ssh.log" 2>&1 \
    && grep -q '^Good "rollout-ledger-release" signature for release@rollout-ledger' "$tmp/ssh.log"); then
  pass "ssh-keygen -Y verify: $(head -n 1 "$tmp/ssh.log")"
else
  failed "ssh-keygen -Y verify did not say Good: $(cat "$tmp/ssh.log")"
fi
if (cd "$pristine" && sha256sum -c --strict --quiet SHA256SUMS >"$tmp/sums.log" 2>&1); then
  pass "sha256sum -c --strict SHA256SUMS: every file as listed"
else
  failed "sha256sum -c: $(head -n 3 "$tmp/sums.log")"
fi

if (( quick )); then
  bytes=(lib/ledger-server.jar)
else
  bytes=(bin/ledger lib/ledger-server.jar runtime/lib/modules README.md sbom/rollout-ledger.cdx.json
         allowed_signers SHA256SUMS.sig "$random_file")
fi
for f in "${bytes[@]}"; do
  fresh; flip "$t/$f"; refused "one byte changed in $f"
done
fresh; echo 'echo hello' >"$t/bin/extra"; refused "a file added (bin/extra)"
if (( ! quick )); then
  fresh; rm "$t/docs/cli.md"; refused "a file removed (docs/cli.md)"
fi
fresh; flip "$t/lib/ledger-cli.jar"
sum="$(cd "$t" && sha256sum lib/ledger-cli.jar)"
awk -v line="$sum" '{ if (substr($0, 67) == "lib/ledger-cli.jar") print line; else print }' "$t/SHA256SUMS" >"$t/SHA256SUMS.new"
mv "$t/SHA256SUMS.new" "$t/SHA256SUMS"
refused "lib/ledger-cli.jar changed and its SHA256SUMS line changed to match"
fresh
ssh-keygen -q -t ed25519 -N '' -C 'someone else' -f "$tmp/foreign-key" </dev/null
printf 'release@rollout-ledger namespaces="rollout-ledger-release" %s\n' "$(cut -d' ' -f1,2 "$tmp/foreign-key.pub")" >"$t/allowed_signers"
(cd "$t" && find . -type f ! -path ./SHA256SUMS ! -path ./SHA256SUMS.sig -printf '%P\n' | LC_ALL=C sort \
   | tr '\n' '\0' | xargs -0 sha256sum -- >SHA256SUMS && rm -f SHA256SUMS.sig \
   && ssh-keygen -q -Y sign -n rollout-ledger-release -f "$tmp/foreign-key" SHA256SUMS </dev/null)
refused "re-signed by another key (sums and allowed_signers rewritten to match)"
fresh; ln -s /etc/passwd "$t/docs/passwd"; refused "a symbolic link added (docs/passwd -> /etc/passwd)"

echo
if (( failures )); then echo "bundle-test: $failures FAILED"; exit 1; fi
echo "bundle-test: all PASS"
