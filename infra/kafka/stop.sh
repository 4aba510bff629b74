#!/usr/bin/env bash
# Stops the broker started by start.sh: SIGTERM (controlled shutdown), then SIGKILL after
# KAFKA_STOP_TIMEOUT seconds (default 20).
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"
stop_pid "$ATP_RUN_DIR/kafka/kafka.pid" kafka.Kafka Kafka "${KAFKA_STOP_TIMEOUT:-20}"
