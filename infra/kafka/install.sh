#!/usr/bin/env bash
# Installs the Apache Kafka broker jars (version pinned in pom.xml) from Maven Central into
# ${ATP_CACHE_DIR:-~/.cache/atp}/kafka-<version>/libs. Idempotent: a marker file holding the
# pom's checksum makes later runs a no-op; `--force` re-installs.
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/common.sh"

force=0
[[ "${1:-}" == "--force" ]] && force=1

command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
pom="$INFRA_DIR/kafka/pom.xml"
marker="$KAFKA_HOME/.installed"
want="$(sha256sum "$pom" | cut -d' ' -f1)"

installed() { [[ -f "$marker" && "$(cat "$marker")" == "$want" && -d "$KAFKA_HOME/libs" ]]; }

if [[ $force == 0 ]] && installed; then
  exit 0
fi

mkdir -p "$KAFKA_HOME"
exec 9>"$KAFKA_HOME/.install.lock"
flock 9
if [[ $force == 0 ]] && installed; then exit 0; fi   # another run installed it while we waited

command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+ (apt-get install -y maven)"
log "installing Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_HOME/libs"
t0=$SECONDS
tmp="$KAFKA_HOME/libs.tmp.$$"
rm -rf "$tmp"
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
  >"$KAFKA_HOME/install.log" 2>&1 \
  || { tail -n 40 "$KAFKA_HOME/install.log" >&2; rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed (Maven Central reachable?)"; }
ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null || die "kafka_2.13-$KAFKA_VERSION.jar missing after copy"
rm -rf "$KAFKA_HOME/libs"
mv "$tmp" "$KAFKA_HOME/libs"
echo "$want" >"$marker"
log "Kafka $KAFKA_VERSION installed in $((SECONDS - t0))s ($(ls "$KAFKA_HOME/libs" | wc -l) jars)"
