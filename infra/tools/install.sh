#!/usr/bin/env bash
# Builds the two manifest validators the test suite runs — kustomize (k8s/ overlays) and
# Docker Compose v2 (`docker-compose config` of docker-compose.yml; no engine needed) — from the
# Go module proxy into ${ATP_CACHE_DIR:-~/.cache/atp}/tools/<name>-<version>/bin. Pinned
# versions; idempotent (marker file per tool); `--force` rebuilds. Prints one line per tool:
#   ATP_KUSTOMIZE=<path>
#   ATP_DOCKER_COMPOSE=<path>
# (tools/manifest-tools.ts finds the same paths without the environment.)
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"

KUSTOMIZE_VERSION=v5.7.1
COMPOSE_VERSION=v2.29.7
force=0
[[ "${1:-}" == "--force" ]] && force=1

command -v go >/dev/null || die "go not found: kustomize and docker compose are built from source with Go"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

# install <name> <version> <go package> <binary name go install writes> <binary name to keep>
install_tool() {
  local name=$1 version=$2 pkg=$3 built=$4 keep=$5
  local home="$ATP_CACHE_DIR/tools/$name-$version"
  local bin="$home/bin/$keep" marker="$home/.installed"
  mkdir -p "$home/bin"
  exec 8>"$home/.install.lock"
  flock 8
  if [[ $force == 1 || ! -f "$marker" || ! -x "$bin" ]]; then
    log "building $name $version into $home (first time: a few minutes on 2 cores)"
    local t0=$SECONDS
    if ! GOBIN="$home/bin" go install "$pkg@$version" >"$home/install.log" 2>&1; then
      tail -20 "$home/install.log" >&2
      die "go install $pkg@$version failed (log: $home/install.log)"
    fi
    [[ "$built" == "$keep" ]] || mv -f "$home/bin/$built" "$bin"
    echo "$version" >"$marker"
    log "$name $version built in $((SECONDS - t0)) s"
  fi
  exec 8>&-
  printf '%s\n' "$bin"
}

k=$(install_tool kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 kustomize kustomize)
c=$(install_tool docker-compose "$COMPOSE_VERSION" github.com/docker/compose/v2/cmd cmd docker-compose)
echo "ATP_KUSTOMIZE=$k"
echo "ATP_DOCKER_COMPOSE=$c"
