#!/usr/bin/env bash
# The load test of issue #8, end to end: prepare the kcpo_load database (idempotent), start gunicorn with 4 workers
# on it, warm every worker up (not measured), run the locust scenario for 5 minutes at 50 users, check that the
# database grew by exactly the successful writes, run the reference (the same users on the cheapest signed-in page),
# verify the audit chain, and print the figures.
#
#   ./load/run.sh
#
# Needs: PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth: LOAD_DATABASE_URL to change), Redis at
# 127.0.0.1:6379 (database 2 holds the shared attempt counters), the project's .venv (scripts/setup.sh) and locust
# (installed here into .venv if missing: the `load` extra in pyproject.toml). Settings, with their defaults:
#   LOAD_USERS=50 LOAD_SPAWN_RATE=10 LOAD_DURATION=5m LOAD_WARMUP=60s LOAD_PORT=8800 LOAD_WORKERS=4
#   LOAD_RATE=2.2 (tasks per second per user: ~330 requests/s offered)  LOAD_OUT=instance/load (CSV, logs, counts)
#   LOAD_REFERENCE=60s (the reference run after the measured one: the same users asking only for a signed-in page
#   with no records on it, no pause; the ceiling of this machine and stack, which the report compares with; 0: none)
#   LOAD_YARDSTICK=30s (then issue #8's own yardstick, a bare Flask page reading SQLite, through load/yardstick.sh:
#   how fast this machine is today next to the issue's figure; 0: none)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export LOAD_OUT="${LOAD_OUT:-$ROOT/instance/load}"
export LOAD_DATABASE_URL="${LOAD_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/kcpo_load}"
USERS="${LOAD_USERS:-50}"
SPAWN_RATE="${LOAD_SPAWN_RATE:-10}"
DURATION="${LOAD_DURATION:-5m}"
WARMUP="${LOAD_WARMUP:-60s}"
PORT="${LOAD_PORT:-8800}"
WORKERS="${LOAD_WORKERS:-4}"
REFERENCE="${LOAD_REFERENCE:-60s}"
YARDSTICK="${LOAD_YARDSTICK:-30s}"
HOST="http://127.0.0.1:${PORT}"
mkdir -p "$LOAD_OUT"
rm -f "$LOAD_OUT"/run_* "$LOAD_OUT"/warmup_* "$LOAD_OUT"/reference_* "$LOAD_OUT"/writes*.json "$LOAD_OUT"/counts_*.json \
  "$LOAD_OUT"/yardstick.txt

if [[ ! -x .venv/bin/python ]]; then
  bash scripts/setup.sh
fi
if ! .venv/bin/locust --version >/dev/null 2>&1; then
  .venv/bin/pip install --quiet "locust==2.47.0"
fi

echo "== Preparing the load database"
.venv/bin/python load/prepare.py

echo "== Starting gunicorn (${WORKERS} workers) on ${HOST}"
if curl -s -o /dev/null "$HOST/" 2>/dev/null; then
  echo "Something already answers on ${HOST}: stop it or set LOAD_PORT" >&2
  exit 1
fi
export PORTAL_ENV=production
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECRET_KEY
export DATABASE_URL="$LOAD_DATABASE_URL"
export RATE_LIMIT_STORAGE_URI="${RATE_LIMIT_STORAGE_URI:-redis://127.0.0.1:6379/2}"
export TRUSTED_PROXY_HOPS=1  # locust plays the TLS-terminating proxy (X-Forwarded-Proto/-For)
.venv/bin/gunicorn --workers "$WORKERS" --bind "127.0.0.1:${PORT}" --pid "$LOAD_OUT/gunicorn.pid" \
  --access-logfile /dev/null --error-logfile "$LOAD_OUT/gunicorn.err" 'portal:create_app()' \
  >"$LOAD_OUT/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
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

locust_run() {  # NAME DURATION [USER CLASSES]
  # A generous stop timeout: every user finishes the task it is in, so every write the server makes is answered and
  # counted (a user cut off mid-request could leave a write the count check cannot see).
  LOAD_WRITES_FILE="$LOAD_OUT/writes_$1.json" .venv/bin/locust -f load/locustfile.py --headless \
    -u "$USERS" -r "$SPAWN_RATE" -t "$2" --host "$HOST" --csv "$LOAD_OUT/$1" --only-summary \
    --stop-timeout 120 ${3:-Officer Partner} >"$LOAD_OUT/$1.log" 2>&1 || true
  wait_until_drained
}

echo "== Warming up every worker for ${WARMUP} (not measured)"
locust_run warmup "$WARMUP"

echo "== Measuring: ${USERS} users, spawn rate ${SPAWN_RATE}/s, ${DURATION}"
.venv/bin/python load/prepare.py counts "$LOAD_OUT/counts_before.json" >/dev/null
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
.venv/bin/python load/machine.py watch "$LOAD_OUT/machine" &
WATCHER_PID=$!
locust_run run "$DURATION"
kill "$WATCHER_PID" 2>/dev/null || true
wait "$WATCHER_PID" 2>/dev/null || true
.venv/bin/python load/machine.py report "$LOAD_OUT/machine" >/dev/null || true
finished="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
if grep -q "Got SIGTERM\|Got SIGINT" "$LOAD_OUT/run.log" || ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
  echo "WARNING: the run was interrupted (locust or gunicorn was stopped from outside); its figures are not valid" >&2
  INTERRUPTED=1
fi
.venv/bin/python load/prepare.py counts "$LOAD_OUT/counts_after.json" >/dev/null
if [[ "$REFERENCE" != "0" && -z "${INTERRUPTED:-}" ]]; then
  echo "== Reference run: the same ${USERS} users on a signed-in page with no records, no pause, for ${REFERENCE}"
  .venv/bin/python load/machine.py watch "$LOAD_OUT/machine_reference" &
  WATCHER_PID=$!
  locust_run reference "$REFERENCE" "ReferenceOfficer ReferencePartner"
  kill "$WATCHER_PID" 2>/dev/null || true
  wait "$WATCHER_PID" 2>/dev/null || true
fi
stop_gunicorn
trap - EXIT
if [[ "$YARDSTICK" != "0" && -z "${INTERRUPTED:-}" ]]; then
  echo "== Yardstick: a bare Flask page reading SQLite, for ${YARDSTICK}"
  YARDSTICK_DURATION="$YARDSTICK" ./load/yardstick.sh >"$LOAD_OUT/yardstick.log" 2>&1 || true
fi

echo "== Verifying the audit chain"
DATABASE_URL="$LOAD_DATABASE_URL" PORTAL_ENV=development .venv/bin/flask --app portal audit verify \
  >"$LOAD_OUT/audit_verify.txt" 2>&1 || true
tail -n 2 "$LOAD_OUT/audit_verify.txt"

echo "== Results"
.venv/bin/python load/report.py --started "$started" --finished "$finished" --users "$USERS" --workers "$WORKERS" \
  || status=$?
if [[ -n "${INTERRUPTED:-}" ]]; then
  echo "WARNING: interrupted run: see above" >&2
  exit 2
fi
exit "${status:-0}"
