"""Summarise a load run (load/run.sh): requests per second, p50/p95/p99 per endpoint, errors, 5xx, the database count
check and the issue #8 targets. Prints a Markdown table and writes it to $LOAD_OUT/report.md.

    .venv/bin/python load/report.py [--started ISO] [--finished ISO] [--users 50] [--workers 4]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import seconds_by_kind  # noqa: E402

OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")
MATCH = "(match)"
PAGE_P95_MS = 150
MATCH_P95_MS = 250
MIN_RPS = 300
SIGN_IN = "GET /sign-in"  # its steps (argon2 on purpose, once per user) are reported but are not page views


def load_stats(recorded: dict, path: Path) -> tuple[list[dict], dict]:
    """Per-endpoint figures as locust's CSV names them: from the final snapshot the locustfile wrote when it stopped,
    else from the CSV (which can miss the last second)."""
    if recorded.get("endpoints"):

        def row(item: dict) -> dict:
            return {
                "Type": item["method"],
                "Name": item["name"],
                "Request Count": str(item["requests"]),
                "Failure Count": str(item["failures"]),
                "Requests/s": str(item["rps"]),
                "50%": str(item["p50"]),
                "95%": str(item["p95"]),
                "99%": str(item["p99"]),
            }

        return [row(item) for item in recorded["endpoints"]], row(recorded["total"])
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    endpoints = [row for row in rows if row["Name"] != "Aggregated"]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return endpoints, total


def number(row: dict, key: str) -> float:
    value = row.get(key, "")
    return float(value) if value not in ("", "N/A") else 0.0


def count_check(writes: dict, before: dict, after: dict) -> list[tuple[str, int, int, bool]]:
    """(what, database rows added, successful writes counted by locust, equal?) for each kind of write."""
    delta = {name: after[name] - before[name] for name in before}
    sign_in, code = writes.get("sign_in", 0), writes.get("sign_in_code", 0)
    checks = [
        ("sign-in sessions (auth_sessions rows)", delta["auth_sessions"], sign_in + code),
        ("signed-in sessions (verified)", delta["auth_sessions_verified"], code if code else sign_in),
        ("directory searches (saved_searches rows)", delta["saved_searches"], writes.get("directory_search", 0)),
        ("reasons for access (audit events)", delta["access_reasons"], writes.get("access_reason", 0)),
        ("referrals accepted", delta["referrals_accepted"], writes.get("referral_accepts", 0)),
        ("attendance marks", delta["attendance_marks"], writes.get("attendance_marks", 0)),
    ]
    return [(what, rows, counted, rows == counted) for what, rows, counted in checks]


def reference_lines(rps: float, requests: float) -> list[str]:
    """The reference run's figures (the cheapest signed-in page, no pause) and the scenario's share of them."""
    if not (OUT / "writes_reference.json").exists():
        return []
    _endpoints, reference = load_stats(json.loads((OUT / "writes_reference.json").read_text()), Path("-"))
    reference_rps = number(reference, "Requests/s")
    lines = [
        "",
        f"Reference run (the same users asking only for /accessibility, signed in, no pause): "
        f"{reference_rps:.1f} requests/s, p50 {reference['50%']} ms, p95 {reference['95%']} ms, "
        f"{int(number(reference, 'Failure Count'))} failures. The scenario's rate is "
        f"{rps / max(reference_rps, 1e-9):.2f} of it.",
    ]
    if (OUT / "machine_reference").exists() and number(reference, "Request Count"):
        spent = seconds_by_kind(OUT / "machine_reference")
        lines.append("Reference " + cpu_per_request(spent, number(reference, "Request Count")))
    return lines + yardstick_lines(reference_rps)


def yardstick_lines(reference_rps: float) -> list[str]:
    """Issue #8's yardstick measured today (load/yardstick.sh's wrk output), beside the figure the issue quotes."""
    if not (OUT / "yardstick.txt").exists():
        return []
    text = (OUT / "yardstick.txt").read_text()
    rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
    p50, p99 = (re.search(rf"^\s*{share}%\s+(\S+)", text, re.M) for share in (50, 99))
    if not (rate and p50 and p99):
        return []
    rps = float(rate.group(1))
    return [
        "",
        f"Yardstick (issue #8's bare Flask page reading SQLite, same gunicorn settings, wrk with 50 connections; the "
        f"issue quotes about 1,900 requests/s, p99 31 ms): {rps:.0f} requests/s, p50 {p50.group(1)}, "
        f"p99 {p99.group(1)} today. The reference page's rate is {reference_rps / max(rps, 1e-9):.2f} of it.",
    ]


def cpu_per_request(spent: dict[str, float], requests: float) -> str:
    """CPU milliseconds each request cost the server, the database and the load generator, and what that allows."""
    each = {kind: spent.get(kind, 0.0) * 1000 / requests for kind in ("gunicorn", "postgresql", "locust")}
    cores = os.cpu_count() or 1
    return (
        f"CPU per request: gunicorn {each['gunicorn']:.1f} ms, PostgreSQL {each['postgresql']:.1f} ms, "
        f"locust {each['locust']:.1f} ms; at that cost {cores} cores could serve at most "
        f"{cores * 1000 / max(sum(each.values()), 1e-9):.0f} requests/s with nothing else running."
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--started", default="")
    parser.add_argument("--finished", default="")
    parser.add_argument("--users", default="50")
    parser.add_argument("--workers", default="4")
    parser.add_argument("--prefix", default="run")
    args = parser.parse_args()

    recorded = json.loads((OUT / f"writes_{args.prefix}.json").read_text())
    endpoints, total = load_stats(recorded, OUT / f"{args.prefix}_stats.csv")
    writes, statuses = recorded["writes"], recorded["status"]
    before = json.loads((OUT / "counts_before.json").read_text())
    after = json.loads((OUT / "counts_after.json").read_text())
    verify = (OUT / "audit_verify.txt").read_text().strip() if (OUT / "audit_verify.txt").exists() else ""
    machine = (OUT / "machine.txt").read_text().strip() if (OUT / "machine.txt").exists() else ""

    lines = [
        f"Run: {args.started} to {args.finished} (UTC); {args.users} users; gunicorn {args.workers} workers; "
        f"PostgreSQL seeded with --scale 100000; machine: {os.cpu_count()} cores.",
        "",
        "| Endpoint | Requests | Failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(endpoints, key=lambda r: (r["Name"].split(" ", 2)[1], r["Type"])):
        lines.append(
            f"| {row['Name']} | {int(number(row, 'Request Count')):,} | {int(number(row, 'Failure Count')):,} "
            f"| {number(row, 'Requests/s'):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    lines.append(
        f"| **All** | **{int(number(total, 'Request Count')):,}** | **{int(number(total, 'Failure Count')):,}** "
        f"| **{number(total, 'Requests/s'):.1f}** | **{total['50%']}** | **{total['95%']}** | **{total['99%']}** |"
    )
    five_xx = statuses.get("5xx", 0)
    failures = int(number(total, "Failure Count"))
    lines += ["", f"Responses by status: {', '.join(f'{k} {v:,}' for k, v in sorted(statuses.items()))}."]
    if machine:
        lines += ["", machine]
    if (OUT / "machine").exists() and number(total, "Request Count"):
        lines += ["", cpu_per_request(seconds_by_kind(OUT / "machine"), number(total, "Request Count"))]
    lines += ["", "| Count check | Rows added | Successful writes | Equal |", "|---|---:|---:|---|"]
    checks = count_check(writes, before, after)
    for what, rows, counted, equal in checks:
        lines.append(f"| {what} | {rows:,} | {counted:,} | {'yes' if equal else 'NO'} |")
    audit_added = after["audit_events"] - before["audit_events"]
    lines += [
        "",
        f"Audit events added: {audit_added:,}. `flask audit verify`: {verify.splitlines()[-1] if verify else '?'}",
    ]

    gets = [r for r in endpoints if r["Type"] == "GET" and not r["Name"].startswith(SIGN_IN)]
    pages = [r for r in gets if MATCH not in r["Name"]]
    matches = [r for r in endpoints if MATCH in r["Name"]]
    worst_page = max(pages, key=lambda r: number(r, "95%"), default=None)
    worst_match = max(matches, key=lambda r: number(r, "95%"), default=None)
    rps = number(total, "Requests/s")
    targets = [
        ("zero 5xx", five_xx == 0, f"{five_xx} responses with 5xx"),
        (f"at least {MIN_RPS} requests per second", rps >= MIN_RPS, f"{rps:.1f} req/s"),
        (
            f"p95 <= {PAGE_P95_MS} ms for every page view (GET)",
            worst_page is not None and number(worst_page, "95%") <= PAGE_P95_MS,
            f"worst: {worst_page['Name']} {worst_page['95%']} ms" if worst_page else "no page views",
        ),
        (
            f"p95 <= {MATCH_P95_MS} ms for a match",
            worst_match is not None and number(worst_match, "95%") <= MATCH_P95_MS,
            f"{worst_match['95%']} ms" if worst_match else "no matches",
        ),
        ("database counts equal the successful writes", all(c[3] for c in checks), f"{len(checks)} kinds checked"),
        ("errors", failures == 0, f"{failures} failed requests"),
        (
            "audit chain verifies",
            verify.startswith("OK") or "\nOK" in verify,
            verify.splitlines()[-1] if verify else "",
        ),
    ]
    lines += reference_lines(rps, number(total, "Request Count"))
    lines += ["", "| Target | Met | Measured |", "|---|---|---|"]
    for what, met, measured in targets:
        lines.append(f"| {what} | {'yes' if met else 'NO'} | {measured} |")
    text = "\n".join(lines) + "\n"
    (OUT / "report.md").write_text(text)
    print(text)
    return 0 if all(met for _what, met, _measured in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
