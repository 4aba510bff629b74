#!/usr/bin/env bash
# Installs (first use only) and starts the local stack: Apache Kafka (KRaft, single node) and
# FerretDB v1 (MongoDB wire protocol, SQLite backend), both on 127.0.0.1, then creates the
# pipeline topics. Prints the connection settings on stdout (logs go to stderr):
#   KAFKA_BROKERS=127.0.0.1:19092
#   MONGO_URL=mongodb://127.0.0.1:27018/
# and writes them to $ATP_RUN_DIR/env. Options: --fresh wipes the data first.
# Env: ATP_CACHE_DIR (~/.cache/atp), ATP_RUN_DIR ($ATP_CACHE_DIR/run), KAFKA_PORT (19092),
# KAFKA_CONTROLLER_PORT (19093), MONGO_PORT (27018). The servers keep running after this script
# (and its parent) exit; stop them with infra/down.sh (same env).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

fresh=0
for a in "$@"; do
  case "$a" in
    --fresh) fresh=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option: $a (usage: infra/up.sh [--fresh])" ;;
  esac
done

t0=$SECONDS
mkdir -p "$ATP_RUN_DIR"
if [[ $fresh == 1 ]]; then
  "$INFRA_DIR/down.sh" >/dev/null 2>&1 || true
  rm -rf "$ATP_RUN_DIR/kafka" "$ATP_RUN_DIR/ferretdb" "$ATP_RUN_DIR/env"
  log "fresh: wiped data in $ATP_RUN_DIR"
fi

# Installs are independent (Maven download vs Go build): run them side by side.
"$INFRA_DIR/kafka/install.sh" & kpid=$!
"$INFRA_DIR/ferretdb/install.sh" & fpid=$!
krc=0; frc=0
wait "$kpid" || krc=$?
wait "$fpid" || frc=$?
[[ $krc == 0 ]] || die "Kafka install failed (exit $krc)"
[[ $frc == 0 ]] || die "FerretDB install failed (exit $frc)"

on_fail() { log "start failed: stopping what was started"; "$INFRA_DIR/down.sh" >/dev/null 2>&1 || true; }
trap on_fail ERR
"$INFRA_DIR/ferretdb/start.sh"
"$INFRA_DIR/kafka/start.sh"
# Topics come from libs/contracts (partitions, retention, and each topic's .dlq) through the CLI.
(cd "$INFRA_DIR/.." && node -r ./tools/register.cjs apps/cli/src/main.ts topics create --brokers "127.0.0.1:$KAFKA_PORT" >&2)
trap - ERR

env_lines="KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
MONGO_URL=mongodb://127.0.0.1:$MONGO_PORT/"
printf '%s\n' "$env_lines" >"$ATP_RUN_DIR/env"
log "stack up in $((SECONDS - t0))s (Kafka $KAFKA_VERSION, FerretDB $FERRETDB_VERSION; data in $ATP_RUN_DIR)"
printf '%s\n' "$env_lines"
