#!/usr/bin/env bash
# Issue #8's yardstick on today's machine: the bare Flask page reading SQLite (load/bare_app.py) under gunicorn with the
# portal's worker settings (4 workers of 4 threads), loaded by wrk with 50 connections for 30 s. The issue quotes about
# 1,900 requests/s, p99 31 ms "here"; machines of this kind differ from day to day, so this says how fast this one is
# now: load/run.sh runs it first and offers the portal a share of its rate. Needs wrk (Debian package `wrk`; installed
# if missing and apt-get is there).
#
#   ./load/yardstick.sh            YARDSTICK_DURATION=30s YARDSTICK_PORT=8801
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${LOAD_OUT:-$ROOT/instance/load}"
PORT="${YARDSTICK_PORT:-8801}"
DURATION="${YARDSTICK_DURATION:-30s}"
mkdir -p "$OUT"
if ! command -v wrk >/dev/null; then
  apt-get install -y wrk >/dev/null
fi
VENV="${LOAD_VENV:-$ROOT/.venv}"
if [[ ! -x "$VENV/bin/gunicorn" ]]; then
  bash "$ROOT/scripts/setup.sh"
fi

cd "$OUT"  # not the project folder: its gunicorn.conf.py (the portal's preload hooks) is not for this app
BARE_DATABASE="$OUT/bare.sqlite3" "$VENV/bin/gunicorn" --workers 4 --worker-class gthread --threads 4 \
  --bind "127.0.0.1:$PORT" --pythonpath "$ROOT/load" --access-logfile /dev/null --error-logfile "$OUT/bare.err" \
  bare_app:app &
GUNICORN_PID=$!
trap 'kill -TERM "$GUNICORN_PID" 2>/dev/null; wait "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/"; then break; fi
  sleep 1
done

echo "== Warming up for 5s"
wrk -t 2 -c 50 -d 5s "http://127.0.0.1:$PORT/" >/dev/null
echo "== Bare Flask page reading SQLite: wrk, 50 connections, ${DURATION}"
wrk -t 2 -c 50 -d "$DURATION" --latency "http://127.0.0.1:$PORT/" | tee "$OUT/yardstick.txt"
