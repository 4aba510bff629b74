# Sourced by the infra scripts (bash, set -euo pipefail already on).
# Cache (downloads, builds) and run dirs (data, logs, pid files) live OUTSIDE the repo.

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INFRA_DIR/.." && pwd)"
ATP_CACHE_DIR="${ATP_CACHE_DIR:-${HOME:-/root}/.cache/atp}"
ATP_RUN_DIR="${ATP_RUN_DIR:-$ATP_CACHE_DIR/run}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${MONGO_PORT:-27018}"
export ATP_CACHE_DIR ATP_RUN_DIR KAFKA_PORT KAFKA_CONTROLLER_PORT MONGO_PORT

# Pinned versions (Kafka's comes from its pom.xml, the single source of truth).
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$INFRA_DIR/kafka/pom.xml" | head -n1)"
KAFKA_HOME="$ATP_CACHE_DIR/kafka-$KAFKA_VERSION"
FERRETDB_VERSION="v1.24.2"   # last FerretDB v1 release served by the Go module proxy
FERRETDB_HOME="$ATP_CACHE_DIR/ferretdb-$FERRETDB_VERSION"

log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE [PATTERN]: true if the pid in PIDFILE is running (and its cmdline matches PATTERN).
pid_alive() {
  local f="$1" pat="${2:-}" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n "$pat" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pat" || return 1
  fi
  return 0
}

# port_busy PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# stop_pid PIDFILE PATTERN NAME TIMEOUT_SECONDS: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local f="$1" pat="$2" name="$3" timeout="$4" pid i
  if ! pid_alive "$f" "$pat"; then
    rm -f "$f"
    log "$name is not running"
    return 0
  fi
  pid="$(cat "$f")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${timeout}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
  log "$name stopped"
}

# with_lock FILE CMD...: serialise installs of one cache entry across concurrent runs.
with_lock() {
  local lock="$1"; shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null 2>&1; then
    flock "$lock" "$@"
  else
    "$@"
  fi
}
