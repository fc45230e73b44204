#!/usr/bin/env bash
# Set up and run the whole test suite: lint, unit and page tests on SQLite and PostgreSQL, and the browser suite.
# Safe to run again at any time. Extra arguments go to pytest.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh test

# Debian's Chromium drives the browser tests (never a browser download).
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing chromium from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test: chromium is not installed; install it (for example 'apt-get install chromium') to run the browser tests" >&2
    exit 1
  fi
fi

# PostgreSQL: start the local cluster if it is installed but stopped; the PostgreSQL tests skip when none is reachable.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters --no-header 2>/dev/null | grep -q down; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi

echo "test: ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# Security lint: any Medium or High finding fails the run (a `# nosec` must name its check and give a reason).
echo "test: bandit"
.venv/bin/bandit -r portal matching seed -ll -q

echo "test: pytest"
# loadgroup: the steps of one browser journey stay on one worker (tests/browser/conftest.py).
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
