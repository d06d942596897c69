# Functions of bundle.sh that fill, sign and pack a bundle directory (sourced; uses root, here, jdk,
# namespace, identity, dist, say, warn, die from bundle.sh).

module_jar() { # module-dir artifact-id: the module's runnable jar
  ls "$root/$1"/target/"$2"-*.jar 2>/dev/null | grep -vE -- '-(sources|tests|javadoc|cyclonedx)\.jar$' | head -n 1 || true
}

manifest_classpath() { # jar: the entries of its manifest's Class-Path, one a line
  unzip -p "$1" META-INF/MANIFEST.MF | tr -d '\r' \
    | awk '/^Class-Path:/ { cp = substr($0, 13); on = 1; next }
           on && /^ / { cp = cp substr($0, 2); next }
           { on = 0 }
           END { n = split(cp, e, " "); for (i = 1; i <= n; i++) print e[i] }'
}

# lib/NAME.jar, and each jar its manifest names (lib/x.jar, relative to the jar) in lib/lib/.
# Only what the manifest names is shipped: a stale jar in target/lib never reaches a bundle. The
# installed layout of infra/systemd/README.md: /opt/rollout-ledger/lib/NAME.jar runs with java -jar.
ship_jar() { # bundle-dir module-dir artifact-id [regex of Class-Path entries left out]
  local dir=$1 module=$2 name=$3 leave_out=${4:-} jar entry src dst
  jar="$(module_jar "$module" "$name")"
  [[ -n "$jar" ]] || die "no $name jar in $module/target"
  mkdir -p "$dir/lib/lib"
  cp "$jar" "$dir/lib/$name.jar"
  while IFS= read -r entry; do
    [[ "$entry" == lib/* ]] || die "$name.jar: Class-Path entry $entry is not under lib/"
    if [[ -n "$leave_out" && "$entry" =~ $leave_out ]]; then continue; fi
    src="$root/$module/target/$entry"
    dst="$dir/lib/$entry"
    [[ -f "$src" ]] || die "$name.jar names $entry, which is not in $module/target/lib"
    if [[ -f "$dst" ]]; then
      # two modules ship the same file name: it must be the same jar
      cmp -s "$src" "$dst" || die "$entry differs between the modules that use it"
    else
      cp "$src" "$dst"
    fi
  done < <(manifest_classpath "$jar")
}

ship_launchers() { # bundle-dir
  local dir=$1
  mkdir -p "$dir/bin" "$dir/libexec"
  install -m 0755 "$here/bin/ledger" "$dir/bin/ledger"
  install -m 0755 "$root/ledger" "$dir/libexec/ledger"
  install -m 0755 "$here/ledger-broker.sh" "$dir/libexec/ledger-broker.sh"
  install -m 0755 "$here/verify-bundle.sh" "$dir/libexec/verify-bundle.sh"
}

# README.md, docs/, every other committed *.md, and infra/systemd/ (the units and their default
# settings, infra/systemd/env/*.env): the paths the docs link to stay the same in the bundle.
# The committed files; outside a git checkout, the same paths found on disk (build output left out).
ship_docs() { # bundle-dir
  local dir=$1 f
  while IFS= read -r -d '' f; do
    mkdir -p "$dir/$(dirname "$f")"
    cp "$root/$f" "$dir/$f"
  done < <(cd "$root" && if [[ "$commit" != unknown ]]; then git ls-files -z -- README.md docs '*.md' infra/systemd
           else find . -type f \( -path ./README.md -o -path './docs/*' -o -path './infra/systemd/*' -o -name '*.md' \) \
                  ! -path '*/target/*' ! -path './dist/*' ! -path './.*' -printf '%P\0' | LC_ALL=C sort -z; fi)
}

# The SBOM of the build (CycloneDX JSON, cyclonedx-maven-plugin in the `sbom` profile of the root
# pom) and the licences of what the bundle ships: every licence or notice file inside its jars
# (licenses/JAR/...), the list by component from the SBOM (licenses/LICENSES.txt); the runtime's own
# are in runtime/legal/ (jlink copies them).
ship_sbom_and_licences() { # bundle-dir
  local dir=$1 sbom="${LEDGER_BUNDLE_SBOM:-$root/target/rollout-ledger.cdx.json}" jar base entry
  [[ -f "$sbom" ]] || die "no SBOM at $sbom (the build runs with -Psbom; LEDGER_SKIP_BUILD=1 needs one built before)"
  mkdir -p "$dir/sbom" "$dir/licenses"
  cp "$sbom" "$dir/sbom/rollout-ledger.cdx.json"
  for jar in "$dir"/lib/*.jar "$dir"/lib/lib/*.jar; do
    base="$(basename "$jar" .jar)"
    while IFS= read -r entry; do
      mkdir -p "$dir/licenses/$base/$(dirname "${entry#META-INF/}")"
      unzip -p "$jar" "$entry" >"$dir/licenses/$base/${entry#META-INF/}"
    done < <(unzip -Z1 "$jar" | grep -iE '^META-INF/([^/]+/)?(LICEN[CS]E|NOTICE|COPYING)[^/]*$' || true)
  done
  # the build's JDK runs the list (source-file mode needs jdk.compiler, which the runtime leaves out)
  "$jdk/bin/java" -cp "$(ls "$dir"/lib/lib/jackson-{core,databind,annotations}-*.jar | paste -sd:)" \
    "$here/LicenceList.java" "$dir/sbom/rollout-ledger.cdx.json" "$dir/lib" >"$dir/licenses/LICENSES.txt"
}

write_build_info() { # bundle-dir version commit modules
  {
    printf 'version=%s\n' "$2"
    printf 'commit=%s\n' "$3"
    printf 'source_date_epoch=%s\n' "$SOURCE_DATE_EPOCH"
    printf 'platform=linux-x86_64\n'
    grep -E '^(JAVA_VERSION|IMPLEMENTOR|IMPLEMENTOR_VERSION)=' "$1/runtime/release" | tr -d '"' \
      | sed -E 's/^JAVA_VERSION=/runtime_java_version=/; s/^IMPLEMENTOR=/runtime_implementor=/; s/^IMPLEMENTOR_VERSION=/runtime_implementor_version=/'
    printf 'runtime_modules=%s\n' "$4"
  } >"$1/BUILD-INFO"
}

release_key() { # prints the path of the release key
  local key="${LEDGER_RELEASE_KEY:-}"
  if [[ -n "$key" ]]; then
    [[ -f "$key" ]] || die "LEDGER_RELEASE_KEY=$key: no such file"
  else
    key="$dist/release-key"
    if [[ ! -f "$key" ]]; then
      ssh-keygen -q -t ed25519 -N '' -C "$identity (local build, $(hostname))" -f "$key" </dev/null
    fi
    warn "no LEDGER_RELEASE_KEY: signed with $key, a key made on this machine."
    warn "  It proves the bundle is unchanged since this build, not who built it."
  fi
  printf '%s\n' "$key"
}

make_allowed_signers() { # key
  local pub
  # KEY.pub when it is there (a key with a passphrase is then asked for it only once, to sign)
  if [[ -f "$1.pub" ]]; then pub="$(awk '{ print $1, $2 }' "$1.pub")"; else pub="$(ssh-keygen -y -f "$1" | awk '{ print $1, $2 }')"; fi
  [[ -n "$pub" ]] || die "cannot read the public key of $1"
  printf '%s namespaces="%s" %s\n' "$identity" "$namespace" "$pub"
}

# allowed_signers, SHA256SUMS of every other file, SHA256SUMS.sig (ssh-keygen -Y sign)
sign_bundle() { # bundle-dir key
  local dir=$1 key=$2
  make_allowed_signers "$key" >"$dir/allowed_signers"
  (cd "$dir" && find . \( -type f -o -type l \) ! -path ./SHA256SUMS ! -path ./SHA256SUMS.sig -printf '%P\n' \
     | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum --) >"$dir/SHA256SUMS"
  rm -f "$dir/SHA256SUMS.sig"
  ssh-keygen -q -Y sign -n "$namespace" -f "$key" "$dir/SHA256SUMS" </dev/null || die "signing failed"
}

# The same tree gives the same bytes: names sorted, one time, owner root, modes normalised, no gzip
# name or time.
pack() { # stage-dir top-dir out-file
  tar --sort=name --format=gnu --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    --mode='u=rwX,go=rX' -C "$1" -cf - "$2" | gzip -n -6 >"$3.tmp"
  mv -f "$3.tmp" "$3"
}
