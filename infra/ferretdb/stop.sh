#!/usr/bin/env bash
# Stops the FerretDB started by start.sh: SIGTERM, then SIGKILL after MONGO_STOP_TIMEOUT seconds (10).
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"
stop_pid "$ATP_RUN_DIR/ferretdb/ferretdb.pid" ferretdb FerretDB "${MONGO_STOP_TIMEOUT:-10}"
