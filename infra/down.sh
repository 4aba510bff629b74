#!/usr/bin/env bash
# Stops the local stack started by infra/up.sh (same ATP_RUN_DIR). Data is kept unless --clean.
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

clean=0
[[ "${1:-}" == "--clean" ]] && clean=1
rc=0
"$INFRA_DIR/kafka/stop.sh" || rc=$?
"$INFRA_DIR/ferretdb/stop.sh" || rc=$?
rm -f "$ATP_RUN_DIR/env"
if [[ $clean == 1 ]]; then
  rm -rf "$ATP_RUN_DIR/kafka" "$ATP_RUN_DIR/ferretdb"
  log "removed data in $ATP_RUN_DIR"
fi
exit $rc
