#!/usr/bin/env bash
# Builds FerretDB v1 (pinned in infra/common.sh) from the Go module proxy into
# ${ATP_CACHE_DIR:-~/.cache/atp}/ferretdb-<version>/bin/ferretdb. Idempotent (marker file);
# `--force` rebuilds.
#
# Why not plain `GOBIN=... go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`:
#  1. `go install pkg@version` first reads the module's version list to check for deprecation,
#     and the proxy answers 403 for github.com/FerretDB/FerretDB's /@v/list
#     from listing), so it fails before building; and
#  2. FerretDB panics at start ("Invalid build/version/version.txt") when built as the main
#     module without build/version/version.txt, a generated file that is not in the module zip.
# So: `go mod download` the exact version (works), copy the sources, write version.txt, and
# `go build ./cmd/ferretdb` with the module's own go.mod/go.sum (same dependency set as go install).
# Patches in infra/ferretdb/patches/*.patch (fixes of FerretDB v1 bugs that hit this project; v1
# is no longer maintained) are applied before the build; changing one triggers a rebuild.
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"

force=0
[[ "${1:-}" == "--force" ]] && force=1
bin="$FERRETDB_HOME/bin/ferretdb"
marker="$FERRETDB_HOME/.installed"

patches=("$INFRA_DIR"/ferretdb/patches/*.patch)
want="$FERRETDB_VERSION $(cat "${patches[@]}" 2>/dev/null | sha256sum | cut -c1-16)"
installed() { [[ -f "$marker" && "$(cat "$marker")" == "$want" && -x "$bin" ]]; }
if [[ $force == 0 ]] && installed; then exit 0; fi

mkdir -p "$FERRETDB_HOME"
exec 9>"$FERRETDB_HOME/.install.lock"
flock 9
if [[ $force == 0 ]] && installed; then exit 0; fi

command -v go >/dev/null || die "go not found: FerretDB is built from source with Go 1.24+"
log "building FerretDB $FERRETDB_VERSION into $FERRETDB_HOME (first time: about 3 min on 2 cores)"
t0=$SECONDS
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
mod="github.com/FerretDB/FerretDB@$FERRETDB_VERSION"
buildlog="$FERRETDB_HOME/install.log"
srcdir="$(cd /tmp && go mod download -json "$mod" 2>"$buildlog" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || true
[[ -n "$srcdir" && -d "$srcdir" ]] || { tail -n 20 "$buildlog" >&2; die "go mod download $mod failed"; }

work="$FERRETDB_HOME/src.tmp.$$"
rm -rf "$work"
cp -r "$srcdir" "$work"
chmod -R u+w "$work"
echo "$FERRETDB_VERSION" >"$work/build/version/version.txt"
echo "atp-source-build" >"$work/build/version/package.txt"
for p in "${patches[@]}"; do
  [[ -f "$p" ]] || continue
  if command -v patch >/dev/null; then
    patch -s -p1 -d "$work" <"$p"
  else
    (cd "$work" && git apply -p1 "$p")
  fi || { rm -rf "$work"; die "patch $(basename "$p") does not apply to FerretDB $FERRETDB_VERSION"; }
  log "applied $(basename "$p")"
done
mkdir -p "$FERRETDB_HOME/bin"
(cd "$work" && go build -trimpath -o "$bin.tmp" ./cmd/ferretdb) >>"$buildlog" 2>&1 \
  || { tail -n 40 "$buildlog" >&2; rm -rf "$work"; die "go build of FerretDB failed (log: $buildlog)"; }
rm -rf "$work"
mv "$bin.tmp" "$bin"
"$bin" --version | grep -q "version: $FERRETDB_VERSION" || die "built ferretdb does not report $FERRETDB_VERSION"
echo "$want" >"$marker"
log "FerretDB $FERRETDB_VERSION built in $((SECONDS - t0))s"
