#!/usr/bin/env bash
# Starts FerretDB v1 (MongoDB wire protocol) with its SQLite backend on 127.0.0.1:$MONGO_PORT
# (default 27018), no auth, telemetry off. Data, log and pid under $ATP_RUN_DIR/ferretdb.
# Runs in its own session (setsid + nohup) so it outlives the process that started it.
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"

"$INFRA_DIR/ferretdb/install.sh"

dir="$ATP_RUN_DIR/ferretdb"
pidf="$dir/ferretdb.pid"
logf="$dir/ferretdb.log"
url="mongodb://127.0.0.1:$MONGO_PORT/"
timeout="${MONGO_START_TIMEOUT:-60}"
mkdir -p "$dir/data" "$dir/state"

health() { node "$INFRA_DIR/ferretdb/health.cjs" "$url" "$1" "${2:-}"; }

if pid_alive "$pidf" ferretdb; then
  log "FerretDB already running (pid $(cat "$pidf")) on 127.0.0.1:$MONGO_PORT"
  health "$timeout" "$(cat "$pidf")" || die "running FerretDB (pid $(cat "$pidf")) is not healthy; see $logf"
  exit 0
fi
rm -f "$pidf"
port_busy "$MONGO_PORT" && die "port $MONGO_PORT is already in use by another process (set MONGO_PORT)"

log "starting FerretDB $FERRETDB_VERSION (sqlite) on 127.0.0.1:$MONGO_PORT, log $logf"
setsid nohup "$FERRETDB_HOME/bin/ferretdb" \
  --handler=sqlite \
  --sqlite-url="file:$dir/data/?_pragma=synchronous(${FERRETDB_SQLITE_SYNCHRONOUS:-NORMAL})" \
  --state-dir="$dir/state" \
  --listen-addr="127.0.0.1:$MONGO_PORT" \
  --debug-addr=- \
  --telemetry=disable \
  --log-level="${FERRETDB_LOG_LEVEL:-error}" \
  --log-format=text \
  >"$logf" 2>&1 </dev/null &
echo $! >"$pidf"

if ! health "$timeout" "$(cat "$pidf")"; then
  echo "---- last 40 lines of $logf ----" >&2
  tail -n 40 "$logf" >&2 || true
  "$INFRA_DIR/ferretdb/stop.sh" >/dev/null 2>&1 || true
  die "FerretDB did not become healthy on 127.0.0.1:$MONGO_PORT within ${timeout}s"
fi
log "FerretDB ready (pid $(cat "$pidf"))"
