#!/usr/bin/env bash
# Set up and run the portal on SQLite with the London demo loaded. Safe to run again at any time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh

export FLASK_APP=portal
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
mkdir -p instance
.venv/bin/flask db upgrade 2>&1 | grep -v "^INFO" || true
.venv/bin/flask seed

cat <<INFO

  KCPO partner portal is starting at http://${HOST}:${PORT}/

  Demo sign-ins (password for all: $(.venv/bin/python -c 'from seed.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)')):
    Officer  officer@met.example.org
    Partner  partner@bowboxing.example.org
    Admin    admin@kcpo.example.org
    Auditor  auditor@kcpo.example.org

  Sign-in code (every account has multi-factor sign-in): the demo accounts share the authenticator key
    $(.venv/bin/python -c 'from seed.demo import DEMO_TOTP_SECRET; print(DEMO_TOTP_SECRET)')
  Add it to any authenticator app, or print the current code with:
    .venv/bin/flask --app portal demo-code

  Press Ctrl+C to stop.

INFO
exec .venv/bin/flask run --host "$HOST" --port "$PORT"
