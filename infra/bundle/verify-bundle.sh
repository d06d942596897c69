#!/usr/bin/env bash
# ledger verify-bundle FILE.tar.gz [--allowed-signers FILE]
#
# Checks a bundle before anything in it runs:
#   1. the archive holds one top directory of plain files and directories (no absolute path, no
#      `..`, no link or device);
#   2. SHA256SUMS.sig is a good signature of SHA256SUMS by release@rollout-ledger in the namespace
#      rollout-ledger-release, by a key of the allowed signers file (ssh-keygen -Y verify);
#   3. SHA256SUMS lists every other file of the bundle, and each file has its SHA-256.
# Exit 0 when all hold; 1 with the reason otherwise; 2 for a bad command line.
#
# Whose key: --allowed-signers FILE, else LEDGER_ALLOWED_SIGNERS (an installed bundle's bin/ledger
# sets it to its own allowed_signers: an upgrade must come from the same publisher), else, in a
# source checkout (./ledger verify-bundle), the project's release key, infra/bundle/
# release-allowed-signers. Only when none of them exists, the archive's own allowed_signers, with a
# warning: that proves the files are the ones signed, not who signed them. A local build is signed
# by a key of its own: check it with --allowed-signers dist/allowed_signers.
#
# The same check by hand, in the unpacked bundle's directory:
#   ssh-keygen -Y verify -f allowed_signers -I release@rollout-ledger -n rollout-ledger-release \
#       -s SHA256SUMS.sig < SHA256SUMS
#   sha256sum -c --strict SHA256SUMS
set -euo pipefail
namespace=rollout-ledger-release
identity=release@rollout-ledger

fail() { printf 'verify-bundle: REFUSED: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: ledger verify-bundle FILE.tar.gz [--allowed-signers FILE]\n' >&2; exit 2; }

file="" signers="${LEDGER_ALLOWED_SIGNERS:-}" project=""
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the project's release key: beside this script in a source checkout (a bundle's bin/ledger passes its own)
[[ -f "$here/release-allowed-signers" ]] && project="$here/release-allowed-signers"
while (( $# )); do
  case "$1" in
    --allowed-signers) (( $# >= 2 )) || usage; signers=$2; shift 2 ;;
    --allowed-signers=*) signers=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) [[ -z "$file" ]] || usage; file=$1; shift ;;
  esac
done
[[ -n "$file" ]] || usage
[[ -n "$signers" ]] || signers="$project"
[[ -f "$file" ]] || fail "$file: no such file"
if [[ -n "$signers" ]]; then
  [[ -f "$signers" ]] || fail "allowed signers $signers: no such file"
  signers="$(cd "$(dirname "$signers")" && pwd)/$(basename "$signers")"
fi
command -v ssh-keygen >/dev/null || fail "ssh-keygen is needed (Debian: openssh-client)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. what the archive holds, before extracting it
tar -tvzf "$file" >"$tmp/listing" 2>"$tmp/err" || fail "$file is not a readable .tar.gz: $(head -n 1 "$tmp/err")"
tar -tzf "$file" >"$tmp/names"
if grep -qv '^[d-]' "$tmp/listing"; then
  fail "the archive holds an entry that is neither a file nor a directory: $(grep -v '^[d-]' "$tmp/listing" | head -n 1)"
fi
top="$(head -n 1 "$tmp/names")"; top="${top%%/*}"
[[ -n "$top" && "$top" != . && "$top" != .. ]] || fail "the archive has no top directory"
if grep -qE '^/|(^|/)\.\.(/|$)' "$tmp/names"; then
  fail "the archive holds a path outside its directory: $(grep -E '^/|(^|/)\.\.(/|$)' "$tmp/names" | head -n 1)"
fi
if grep -qvE "^$top(/|$)" "$tmp/names"; then
  fail "the archive holds more than one top directory: $(grep -vE "^$top(/|$)" "$tmp/names" | head -n 1)"
fi
mkdir "$tmp/x"
tar -xzf "$file" -C "$tmp/x" --no-same-owner
cd "$tmp/x/$top"
[[ -f SHA256SUMS ]] || fail "no SHA256SUMS in $top/"
[[ -f SHA256SUMS.sig ]] || fail "no SHA256SUMS.sig in $top/"

# 2. the signature
if [[ -z "$signers" ]]; then
  [[ -f allowed_signers ]] || fail "no --allowed-signers given and none in the bundle"
  printf 'verify-bundle: warning: checking against the bundle'"'"'s own allowed_signers: this proves the files\n' >&2
  printf '  are the ones signed, not who signed them. Pass --allowed-signers FILE from the publisher.\n' >&2
  signers="$PWD/allowed_signers"
fi
if ! ssh-keygen -Y verify -f "$signers" -I "$identity" -n "$namespace" -s SHA256SUMS.sig \
     <SHA256SUMS >"$tmp/sig" 2>&1; then
  hint=""
  [[ "$signers" == "$project" ]] && hint=" (the project's release key; a bundle of a local build: --allowed-signers dist/allowed_signers)"
  fail "SHA256SUMS.sig is not a good signature by $identity of $signers$hint: $(head -n 1 "$tmp/sig")"
fi

# 3. every file listed, every file as listed
if grep -qv '^[0-9a-f]\{64\}  [^/]' SHA256SUMS; then
  fail "SHA256SUMS has a line that is not 'SHA-256  relative path': $(grep -v '^[0-9a-f]\{64\}  [^/]' SHA256SUMS | head -n 1)"
fi
cut -c 67- SHA256SUMS | LC_ALL=C sort >"$tmp/listed"
find . -type f ! -path ./SHA256SUMS ! -path ./SHA256SUMS.sig -printf '%P\n' | LC_ALL=C sort >"$tmp/present"
if ! cmp -s "$tmp/listed" "$tmp/present"; then
  extra="$(LC_ALL=C comm -13 "$tmp/listed" "$tmp/present" | head -n 3 | paste -sd' ')"
  missing="$(LC_ALL=C comm -23 "$tmp/listed" "$tmp/present" | head -n 3 | paste -sd' ')"
  fail "the files are not those SHA256SUMS lists${extra:+; not listed: $extra}${missing:+; missing: $missing}"
fi
if ! sha256sum -c --strict --quiet SHA256SUMS >"$tmp/sums" 2>&1; then
  fail "a file differs from its SHA-256 in SHA256SUMS: $(grep -m 3 FAILED "$tmp/sums" | paste -sd' ')"
fi

printf 'verify-bundle: OK %s\n' "$(basename "$file")"
printf '  %s\n' "$(head -n 1 "$tmp/sig")"
printf '  %s files match SHA256SUMS; allowed signers: %s\n' "$(wc -l <"$tmp/listed")" "$signers"
