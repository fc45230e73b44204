#!/usr/bin/env bash
# The load test of issue 17, end to end: what can be measured on one machine.
#
#   ./load/run.sh
#
# 1. Prepares the kcpo_load database (load/prepare.py; idempotent, reuses a prepared database).
# 2. Yardstick first: issue #8's bare Flask page reading SQLite (load/yardstick.sh, wrk) says how fast this machine is
#    in this run, in requests/s.
# 3. Fixed-rate phase: gunicorn with 4 workers on kcpo_load; locust signs every user in, warms up (not measured), then
#    offers a constant rate of LOAD_FIXED_SHARE (3.5%) of the yardstick's throughput for LOAD_FIXED_DURATION (5m),
#    paced per request so the rate holds whatever the responses take. Reported: p50/p95/p99 per request name and type
#    (pages, matches), errors, the achieved rate, and the CPU per request of gunicorn and of PostgreSQL. Checked: the
#    database grew by exactly the successful writes, `flask audit verify` is OK, and issue 17's targets.
# 4. Ramp: the offered rate steps up from the fixed rate by LOAD_RAMP_FACTOR (1.5) every LOAD_RAMP_STEP_SECONDS (40s)
#    until p95 > 250 ms, an error, or the users cannot reach the rate; the highest rate within p95 <= 250 ms is reported
#    with its ratio to the yardstick. (When the fixed rate is already beyond it, the steps go down instead.)
# 5. Writes $LOAD_OUT/results.json and results.md (labelled by date and commit) and prints the report. Exits 1 when a
#    target is missed, 2 when a phase could not run.
#
# Needs: PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth: LOAD_DATABASE_URL to change), Redis at
# 127.0.0.1:6379 (database 2 holds the shared attempt counters), the project's .venv (scripts/setup.sh), locust
# (installed into .venv if missing: the `load` extra in pyproject.toml) and wrk (Debian's `wrk`). Settings, defaults:
#   LOAD_YARDSTICK=30s          the yardstick's length (0: none; then LOAD_FIXED_RATE must be given)
#   LOAD_FIXED_SHARE=0.035      the fixed rate as a share of the yardstick's requests/s
#   LOAD_FIXED_RATE=            requests/s for the fixed phase, instead of the share of the yardstick
#   LOAD_FIXED_DURATION=5m      the measured fixed phase    LOAD_WARMUP=60s  before it, same rate, not measured
#   LOAD_RAMP=1                 0: no ramp                  LOAD_RAMP_STEP_SECONDS=40  LOAD_RAMP_FACTOR=1.5
#   LOAD_RAMP_MAX_STEPS=12      LOAD_RAMP_SETTLE_SECONDS=3 (unmeasured start of each step)
#   LOAD_USERS=50 (25 officers, 25 partners: the prepared accounts)  LOAD_SPAWN_RATE=10  LOAD_PORT=8800  LOAD_WORKERS=4
#   LOAD_OUT=instance/load      results, locust's logs, counts, the server's log
#   LOAD_VENV=.venv             the Python environment of the portal; LOAD_LOCUST=$LOAD_VENV/bin/locust
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export LOAD_OUT="${LOAD_OUT:-$ROOT/instance/load}"
export LOAD_DATABASE_URL="${LOAD_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/kcpo_load}"
VENV="${LOAD_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
LOCUST="${LOAD_LOCUST:-$VENV/bin/locust}"
USERS="${LOAD_USERS:-50}"
SPAWN_RATE="${LOAD_SPAWN_RATE:-10}"
PORT="${LOAD_PORT:-8800}"
WORKERS="${LOAD_WORKERS:-4}"
YARDSTICK="${LOAD_YARDSTICK:-30s}"
SHARE="${LOAD_FIXED_SHARE:-0.035}"
FIXED_DURATION="${LOAD_FIXED_DURATION:-5m}"
WARMUP="${LOAD_WARMUP:-60s}"
RAMP="${LOAD_RAMP:-1}"
HOST="http://127.0.0.1:${PORT}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"  # this checkout's portal, whatever the virtualenv points at
mkdir -p "$LOAD_OUT"
rm -f "$LOAD_OUT"/fixed* "$LOAD_OUT"/ramp* "$LOAD_OUT"/writes*.json "$LOAD_OUT"/counts_*.json "$LOAD_OUT"/yardstick.txt \
  "$LOAD_OUT"/audit_verify.txt "$LOAD_OUT"/results.* "$LOAD_OUT"/run.env

if [[ ! -x "$PY" ]]; then
  bash scripts/setup.sh
fi
if ! "$LOCUST" --version >/dev/null 2>&1; then
  "$VENV/bin/pip" install --quiet "locust==2.47.0"
fi
seconds() { "$PY" load/phases.py seconds "$1"; }
FIXED_SECONDS="$(seconds "$FIXED_DURATION")"
WARMUP_SECONDS="$(seconds "$WARMUP")"

# Results are labelled by commit; "+changes" when the checkout differs from it (the figures are not of that commit).
COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo '+changes')"

echo "== [1/5] Preparing the load database"
"$PY" load/prepare.py

YARDSTICK_RPS=""
if [[ "$YARDSTICK" == "0" ]]; then
  echo "== [2/5] Yardstick: skipped (LOAD_YARDSTICK=0)"
else
  echo "== [2/5] Yardstick first: a bare Flask page reading SQLite, for ${YARDSTICK}"
  YARDSTICK_DURATION="$YARDSTICK" ./load/yardstick.sh >"$LOAD_OUT/yardstick.log" 2>&1 || true
  if [[ -f "$LOAD_OUT/yardstick.txt" ]]; then
    YARDSTICK_RPS="$("$PY" load/phases.py yardstick "$LOAD_OUT/yardstick.txt")"
  fi
  if [[ -z "$YARDSTICK_RPS" ]]; then
    echo "The yardstick gave no figure; see $LOAD_OUT/yardstick.log" >&2
    exit 2
  fi
  echo "Yardstick: ${YARDSTICK_RPS} requests/s"
fi
if [[ -n "${LOAD_FIXED_RATE:-}" ]]; then
  FIXED_RATE="$LOAD_FIXED_RATE"
  WHY="LOAD_FIXED_RATE"
  SHARE=0  # the report says the rate was set, not a share of the yardstick
elif [[ -n "$YARDSTICK_RPS" ]]; then
  FIXED_RATE="$("$PY" load/phases.py rate "$YARDSTICK_RPS" "$SHARE")"
  WHY="${SHARE} of the yardstick"
else
  echo "With LOAD_YARDSTICK=0, say the fixed rate: LOAD_FIXED_RATE=60" >&2
  exit 2
fi

echo "== [3/5] Starting gunicorn (${WORKERS} workers) on ${HOST}"
if curl -s -o /dev/null "$HOST/" 2>/dev/null; then
  echo "Something already answers on ${HOST}: stop it or set LOAD_PORT" >&2
  exit 1
fi
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
(
  export PORTAL_ENV=production SECRET_KEY DATABASE_URL="$LOAD_DATABASE_URL" TRUSTED_PROXY_HOPS=1
  export RATE_LIMIT_STORAGE_URI="${RATE_LIMIT_STORAGE_URI:-redis://127.0.0.1:6379/2}"
  # locust plays the TLS-terminating proxy (X-Forwarded-Proto/-For), hence TRUSTED_PROXY_HOPS=1
  exec "$VENV/bin/gunicorn" --workers "$WORKERS" --bind "127.0.0.1:${PORT}" --pid "$LOAD_OUT/gunicorn.pid" \
    --access-logfile /dev/null --error-logfile "$LOAD_OUT/gunicorn.err" 'portal:create_app()' \
    >"$LOAD_OUT/gunicorn.log" 2>&1
) &
GUNICORN_PID=$!
export LOAD_GUNICORN_PID="$GUNICORN_PID"
stop_gunicorn() {
  if kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
}
trap stop_gunicorn EXIT

# The master builds the prepared catalogue (~25 s at 100,000 programmes) before it starts the workers.
for _ in $(seq 1 180); do
  if curl -fsS -o /dev/null "$HOST/sign-in" 2>/dev/null; then break; fi
  if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
    echo "gunicorn stopped; see $LOAD_OUT/gunicorn.err" >&2
    exit 1
  fi
  sleep 1
done

DATABASE_NAME="${LOAD_DATABASE_URL##*/}"
DATABASE_NAME="${DATABASE_NAME%%\?*}"

wait_until_drained() {
  # Requests still queued or running when locust stops are finished by the server after it has gone; the row counts
  # are taken only once nothing is left: a request answered (the queue is through) and no transaction open for a while.
  curl -s -o /dev/null --max-time 120 "$HOST/sign-in" || true
  local quiet=0
  for _ in $(seq 1 120); do
    busy="$(psql -h 127.0.0.1 -U postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE datname = '${DATABASE_NAME}'
      AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()" 2>/dev/null || echo 1)"
    if [[ "$busy" == "0" ]]; then quiet=$((quiet + 1)); else quiet=0; fi
    if [[ "$quiet" -ge 3 ]]; then return; fi
    sleep 1
  done
}

locust_phase() {  # NAME: LOAD_PHASE and its settings in the environment; the locustfile quits when the phase is over
  # A generous stop timeout: every user finishes the task it is in, so every write the server makes is answered and
  # counted (a user cut off mid-request could leave a write the count check cannot see). -t is only a safety net.
  LOAD_WRITES_FILE="$LOAD_OUT/writes_$1.json" "$LOCUST" -f load/locustfile.py --headless \
    -u "$USERS" -r "$SPAWN_RATE" -t "$2" --host "$HOST" --csv "$LOAD_OUT/$1" --only-summary \
    --stop-timeout 120 Officer Partner 2>&1 | tee "$LOAD_OUT/$1.log" \
    | grep --line-buffered -E '^\[(warm|fixed|ramp)|^Signed in|^Phase .* failed' | sed -u 's/^/   /' || true
  wait_until_drained
}

echo "== [4/5] Fixed rate: ${FIXED_RATE} requests/s (${WHY}) for ${FIXED_DURATION}," \
  "after ${WARMUP} of warm-up; ${USERS} users"
"$PY" load/prepare.py counts "$LOAD_OUT/counts_before.json" >/dev/null
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD_PHASE=fixed LOAD_FIXED_RATE="$FIXED_RATE" LOAD_WARMUP_SECONDS="$WARMUP_SECONDS" \
  LOAD_FIXED_SECONDS="$FIXED_SECONDS" locust_phase fixed "$(( FIXED_SECONDS + WARMUP_SECONDS + 900 ))s"
"$PY" load/prepare.py counts "$LOAD_OUT/counts_after.json" >/dev/null
echo "   Verifying the audit chain"
DATABASE_URL="$LOAD_DATABASE_URL" PORTAL_ENV=development "$VENV/bin/flask" --app portal audit verify \
  >"$LOAD_OUT/audit_verify.txt" 2>&1 || true
tail -n 1 "$LOAD_OUT/audit_verify.txt" | sed 's/^/   /'

if [[ "$RAMP" != "0" ]]; then
  echo "== [5/5] Ramp: steps of ${LOAD_RAMP_STEP_SECONDS:-40}s from ${FIXED_RATE} requests/s," \
    "x${LOAD_RAMP_FACTOR:-1.5} a step, until p95 > 250 ms or errors"
  LOAD_PHASE=ramp LOAD_RAMP_FROM="$LOAD_OUT/writes_fixed.json" locust_phase ramp "3h"
else
  echo "== [5/5] Ramp: skipped (LOAD_RAMP=0)"
fi
finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stop_gunicorn
trap - EXIT

echo "== Results"
"$PY" load/report.py --started "$started" --finished "$finished" --users "$USERS" --workers "$WORKERS" \
  --yardstick "${YARDSTICK_RPS:-0}" --share "$SHARE" --commit "$COMMIT"
