"""The page-cost benchmark of issue #17: what each page costs the server in CPU, SQL statements and HTML, as a
ratio to a bare Flask page measured in the same process in the same run (the machine is shared and noisy; the ratio
is the figure to compare).

    .venv/bin/python -m bench.pages                        # --scale 100000, SQLite and PostgreSQL
    .venv/bin/python -m bench.pages --scale 2000 --requests 10 --backend sqlite     # a quick look
    .venv/bin/python -m bench.pages --compare HEAD~1       # and the same on another commit, side by side

Prepares the database first (bench/page_database.py: the demo seed, `--scale` synthetic programmes and the load
test's fixtures), using again one prepared earlier at the same scale. Then signs in an officer and a partner and
measures each page (bench/page_cost.py): CPU ms per request (median of the batches' means, and p95 of single
requests), statements and HTML per request, ratio to the bare page, and issue #17's target for it.

`--compare REV` checks REV out in a temporary git worktree under /tmp and runs this same measurement there in a
second process (same Python, started from that worktree so its code is imported) on another copy of the same
prepared database; the worktree is removed afterwards. The database is prepared by this checkout's code,
so compare with an older commit whose models the newer migrations still serve.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

BENCH_ROOT = Path(__file__).resolve().parent.parent
if str(BENCH_ROOT) not in sys.path:
    sys.path.insert(0, str(BENCH_ROOT))
os.environ.setdefault("BARE_DATABASE", str(BENCH_ROOT / "instance" / "bench" / "bare.sqlite3"))

# The benchmark's own modules come from this checkout even when the code measured is another commit's (--code-root):
# imported here, before that checkout goes first on sys.path. `portal` is imported only after that.
import bench  # noqa: E402, F401
import load.bare_app  # noqa: E402, F401
import load.prepare  # noqa: E402, F401

PYTHON = os.environ.get("BENCH_PYTHON", sys.executable)  # the same Python runs the commit compared


def progress(message: str) -> None:
    print(message, flush=True)


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic programmes (default 100000)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--requests", type=int, default=50, help="requests per batch")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed requests before each page's batches")
    parser.add_argument(
        "--bare-requests",
        type=int,
        help="requests per batch of the bare page (default 200: a shorter batch is at the mercy of one scheduler "
        "tick; fewer suit only a check that the benchmark runs)",
    )
    parser.add_argument("--compare", metavar="REV", help="also measure this commit, side by side")
    parser.add_argument("--keep-postgres", action="store_true", help="keep the PostgreSQL database for next time")
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare the databases and stop (keeps PostgreSQL's)"
    )
    parser.add_argument("--work-dir", type=Path, default=BENCH_ROOT / "instance" / "bench")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument(
        "--pages",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help='measure only these pages, by name, comma-separated (e.g. "register,mark POST"); the load mix is then '
        "weighted over those measured",
    )
    # The second process of --compare:
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code-root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--accounts", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    if args.code_root:
        sys.path.insert(0, str(args.code_root.resolve()))
    from bench import page_cost  # after --code-root: it imports the portal measured

    size = (args.warm_up, args.batches, args.requests)
    if args.measure_only:
        backend = args.database_url.split(":", 1)[0].split("+", 1)[0]
        accounts = json.loads(args.accounts.read_text())
        label = {"backend": backend, "scale": args.scale, "revision": revision(Path.cwd())}
        result = page_cost.run(
            args.database_url, accounts, size, progress, only=args.pages, bare_requests=args.bare_requests, **label
        )
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n")
        return 0
    if args.prepare_only:
        for backend in backends(args.backend):
            prepare(args, backend, size)
        return 0
    results = [measure_backend(args, backend, size) for backend in backends(args.backend)]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(row["met"] is not False for result in results for row in result["current"]["rows"]) else 1


def backends(choice: str) -> list[str]:
    from bench.page_database import postgres_reachable

    wanted = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in wanted and not postgres_reachable():
        progress("PostgreSQL is not reachable: measuring SQLite only")
        wanted.remove("postgresql")
    return wanted


def prepare(args: argparse.Namespace, backend: str, size: tuple):
    from bench import page_database

    referrals = size[0] + size[1] * size[2] + 5  # one per accept post, and the one the referral page shows
    progress(f"Preparing the {backend} database at --scale {args.scale:,} ...")
    if backend == "sqlite":
        return page_database.prepare_sqlite(args.work_dir, args.scale, referrals, progress)
    keep = args.keep_postgres or args.prepare_only
    return page_database.prepare_postgres(args.work_dir, args.scale, referrals, keep, progress)


def measure_backend(args: argparse.Namespace, backend: str, size: tuple) -> dict:
    from bench import page_cost, page_database

    database = prepare(args, backend, size)
    try:
        progress(f"Measuring this checkout on {backend} ({size[1]} batches of {size[2]} requests per page) ...")
        with page_database.working_copy(database) as copy:
            label = {"backend": backend, "scale": args.scale, "revision": revision(BENCH_ROOT)}
            current = page_cost.run(
                copy.url, copy.accounts(), size, progress, only=args.pages, bare_requests=args.bare_requests, **label
            )
        report = {"backend": backend, "current": table_data(asdict(current))}
        print_table(report["current"])
        if args.compare:
            with page_database.working_copy(database) as copy:
                report["compared"] = table_data(measure_revision(args, copy))
            print_comparison(report["compared"], report["current"])
        return report
    finally:
        if database.drop_at_end:
            page_database.drop_postgres(database)


def measure_revision(args: argparse.Namespace, database) -> dict:
    """This benchmark, run by a second process on REV's code checked out in a temporary worktree."""
    place = Path(tempfile.mkdtemp(prefix="kcpo-bench-")) / "checkout"
    git = ["git", "-C", str(BENCH_ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(place), args.compare], check=True)
    out = place.parent / "figures.json"
    try:
        progress(f"Measuring {args.compare} in {place} ...")
        command = [PYTHON, str(Path(__file__).resolve()), "--measure-only", "--code-root", str(place)]
        command += ["--database-url", database.url, "--accounts", str(database.accounts_file), "--json", str(out)]
        command += ["--scale", str(args.scale), "--batches", str(args.batches), "--requests", str(args.requests)]
        command += ["--warm-up", str(args.warm_up)]
        command += ["--bare-requests", str(args.bare_requests)] if args.bare_requests else []
        command += ["--pages", ",".join(args.pages)] if args.pages else []
        subprocess.run(command, check=True, cwd=place)
        return json.loads(out.read_text())
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(place)], check=False)
        out.unlink(missing_ok=True)
        place.parent.rmdir()


def revision(root: Path) -> str:
    def git(*words: str) -> str:
        return subprocess.run(["git", "-C", str(root), *words], capture_output=True, text=True).stdout.strip()

    changed = " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return (git("rev-parse", "--short", "HEAD") or "unknown") + changed


# --------------------------------------------------------------------------- tables


def table_data(run: dict) -> dict:
    rows = [run["bare"], *run["pages"], *([run["mix"]] if run.get("mix") else [])]
    for row in rows:
        row["met"] = None if row.get("target") is None else row["ratio"] <= row["target"]
    return {"backend": run["backend"], "scale": run["scale"], "revision": run["revision"], "rows": rows}


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def verdict(row: dict) -> str:
    return "–" if row["met"] is None else ("met" if row["met"] else "NOT met")


def print_table(data: dict) -> None:
    print(f"\n{data['backend']} at --scale {data['scale']:,}, revision {data['revision']}")
    header = f"{'page':<24} {'CPU ms':>8} {'p95 ms':>8} {'statements':>10} {'HTML KB':>8} {'× bare':>7} {'target':>7}"
    header += "  met"
    print(header)
    print("-" * len(header))
    for row in data["rows"]:
        html = None if row["html_bytes"] is None else row["html_bytes"] / 1024
        target = "–" if row["target"] is None else f"≤ {row['target']}×"
        print(
            f"{row['name']:<24} {number(row['cpu_ms'], 2):>8} {number(row['p95_ms'], 2):>8} "
            f"{number(row['statements']):>10} {number(html):>8} {number(row['ratio']):>7} {target:>7}  {verdict(row)}"
        )
    print()


def print_comparison(before: dict, after: dict) -> None:
    """Both runs side by side; the change is in the ratio to each run's own bare page."""
    print(f"{before['backend']}: {before['revision']} (before) and {after['revision']} (after), side by side")
    header = (
        f"{'page':<24} {'before ms':>9} {'× bare':>7} {'stmts':>6} {'after ms':>9} {'× bare':>7} {'stmts':>6} "
        f"{'change':>8}"
    )
    print(header)
    print("-" * len(header))
    earlier = {row["name"]: row for row in before["rows"]}
    for row in after["rows"]:
        old = earlier.get(row["name"])
        if old is None:
            continue
        change = f"{(row['ratio'] / old['ratio'] - 1) * 100:+.0f}%" if old["ratio"] else "–"
        print(
            f"{row['name']:<24} {number(old['cpu_ms'], 2):>9} {number(old['ratio']):>7} "
            f"{number(old['statements']):>6} {number(row['cpu_ms'], 2):>9} {number(row['ratio']):>7} "
            f"{number(row['statements']):>6} {change:>8}"
        )
    print()


if __name__ == "__main__":
    # Stopped with `kill`: still drop the PostgreSQL databases and remove the worktree and copies (the `finally`s).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
