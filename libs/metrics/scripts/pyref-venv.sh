#!/usr/bin/env bash
# Creates, once, the Python reference environment of the metrics cross-check
# (libs/metrics/src/empyrical-reference.spec.ts) and prints its python path:
# empyrical 0.5.5 with numpy 1.26 / pandas 2.2 / scipy 1.13 (empyrical 0.5.5 needs numpy < 2,
# it uses np.NINF). Cached under ${ATP_CACHE_DIR:-~/.cache/atp}/pyref; concurrent callers wait
# on a lock; a half-built venv is never marked ready.
set -euo pipefail
CACHE="${ATP_CACHE_DIR:-$HOME/.cache/atp}"
DIR="$CACHE/pyref"
mkdir -p "$CACHE"
exec 9>"$CACHE/pyref.lock"
flock 9
if [ ! -f "$DIR/.ready" ]; then
  rm -rf "$DIR"
  python3 -m venv "$DIR/venv" >&2
  "$DIR/venv/bin/pip" install -q --disable-pip-version-check --timeout 20 --retries 2 \
    numpy==1.26.4 pandas==2.2.3 scipy==1.13.1 six==1.17.0 empyrical==0.5.5 >&2
  "$DIR/venv/bin/python" -W ignore -c "import empyrical, numpy" >&2
  touch "$DIR/.ready"
fi
echo "$DIR/venv/bin/python"
