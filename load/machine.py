"""How busy the machine was during a load run, and how much of that was the load test itself (gunicorn, locust and
the PostgreSQL backends serving kcpo_load), so figures from a shared machine can be read for what they are.

    .venv/bin/python load/machine.py watch FILE &      # samples every 3 s while the run goes on
    .venv/bin/python load/machine.py report FILE        # after it (stop the watcher): one line, also in FILE.txt

load/locustfile.py measures each phase with cpu_snapshot (the gunicorn master's process tree and the PostgreSQL
backends of the load database, by pid) and busy_seconds. Standard library only: locust's virtualenv imports it.
Linux only (/proc).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
DATABASE = os.environ.get("LOAD_DATABASE_URL", "kcpo_load").rsplit("/", 1)[-1].split("?", 1)[0]


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def process_seconds(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _processes() -> list[tuple[str, str, str]]:
    """(pid, parent pid, command line) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        found.append((entry.name, stat.rsplit(")", 1)[1].split()[1], command))
    return found


BACKEND_TITLE = re.compile(r"^postgres: (?:\S+: )?([^\s:]+) (\S+) ")  # a user name has no colon


def backend_database(command: str) -> str | None:
    """The database a PostgreSQL backend serves, from its process title ("postgres: [CLUSTER: ]USER DATABASE HOST
    STATE"); None for any other process (the server's own workers: "postgres: 15/main: walwriter")."""
    found = BACKEND_TITLE.match(command)
    return found.group(2) if found else None


def cpu_snapshot(gunicorn_master: str, database: str) -> dict[str, dict[str, float]]:
    """CPU seconds so far, by kind and pid: the gunicorn master and its workers, the PostgreSQL backends connected
    to `database` (their process title names it: "postgres: USER DATABASE HOST(PORT) STATE") and this process."""
    processes = _processes()
    workers = {pid for pid, parent, _command in processes if gunicorn_master and parent == gunicorn_master}
    gunicorn = ({gunicorn_master} if gunicorn_master else set()) | workers
    backends = {pid for pid, _parent, command in processes if backend_database(command) == database}
    return {
        "gunicorn": {pid: process_seconds(pid) for pid in gunicorn},
        "postgresql": {pid: process_seconds(pid) for pid in backends},
        "locust": {str(os.getpid()): process_seconds(str(os.getpid()))},
    }


def pids(*pattern: str) -> list[str]:
    return subprocess.run(["pgrep", "-f", *pattern], capture_output=True, text=True).stdout.split()


def ours() -> dict[str, float]:
    """CPU seconds so far of each process of the load test, keyed "kind:pid"."""
    backends = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{DATABASE}'",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    found = {
        "gunicorn": pids("gunicorn.*portal:create_app"),
        "locust": pids("locust -f load/locustfile.py"),
        "postgresql": backends,
    }
    return {f"{kind}:{pid}": process_seconds(pid) for kind, kind_pids in found.items() for pid in kind_pids}


def seconds_by_kind(path: Path) -> dict[str, float]:
    """CPU seconds each kind of process (gunicorn, locust, postgresql) spent during the run."""
    state = json.loads(path.read_text())
    spent: dict[str, float] = {}
    for key, value in state["seen"].items():
        kind = key.split(":", 1)[0]
        spent[kind] = spent.get(kind, 0.0) + value - state["first"]["ours"].get(key, 0.0)
    return spent


def snapshot() -> dict:
    return {"time": time.time(), "busy": busy_seconds(), "ours": ours(), "load": Path("/proc/loadavg").read_text()}


def watch(path: Path) -> None:
    """Sample every few seconds until stopped, so processes that end before the report still count."""
    first = snapshot()
    seen = dict(first["ours"])
    while True:
        time.sleep(3)
        latest = snapshot()
        for pid, value in latest["ours"].items():
            seen[pid] = max(seen.get(pid, 0.0), value)
        path.write_text(json.dumps({"first": first, "latest": latest, "seen": seen}))


def report(path: Path) -> str:
    state = json.loads(path.read_text())
    first, latest = state["first"], state["latest"]
    seconds = max(latest["time"] - first["time"], 1e-9)
    machine = (latest["busy"] - first["busy"]) / seconds
    test = sum(seconds_by_kind(path).values()) / seconds
    cores = os.cpu_count() or 1
    return (
        f"Machine CPU during the run: {machine:.2f} of {cores} cores busy on average, {test:.2f} of them the load test "
        f"(gunicorn, locust, its PostgreSQL backends), {max(0.0, machine - test):.2f} everything else; "
        f"load average at the end {latest['load'].split()[0]}."
    )


def main(argv: list[str]) -> None:
    command, path = argv[0], Path(argv[1])
    if command == "watch":
        watch(path)
        return
    line = report(path)
    Path(str(path) + ".txt").write_text(line + "\n")
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
