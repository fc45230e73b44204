"""Summarise a load run (load/run.sh): the yardstick, the fixed-rate phase (p50/p95/p99 per request name and type,
errors, achieved rate, CPU per request of gunicorn and PostgreSQL, the count check, the audit chain, issue 17's
targets with PASS/FAIL) and the ramp (the highest rate with p95 <= 250 ms, as a ratio to the yardstick). Writes
$LOAD_OUT/results.json and $LOAD_OUT/results.md (labelled by date and commit, ready for docs/load-test.md) and prints
the Markdown. Exit status 1 when a target is missed, 2 when the fixed phase has no figures.

    .venv/bin/python load/report.py --commit abc1234 [--yardstick 1750] [--share 0.035] [--started ISO] ...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import phases  # noqa: E402

OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")


class NoFigures(Exception):
    """A phase that could not run (exit status 2)."""


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


def audit_ok(verify_output: str) -> bool:
    return any(line.startswith("OK") for line in verify_output.splitlines())


def yardstick_figures(wrk_output: str) -> dict:
    """The yardstick's requests/s, p50 and p99 in wrk's --latency output."""
    p50, p99 = (re.search(rf"^\s*{share}%\s+(\S+)", wrk_output, re.M) for share in (50, 99))
    return {
        "rps": phases.yardstick_rate(wrk_output),
        "p50": p50.group(1) if p50 else "",
        "p99": p99.group(1) if p99 else "",
    }


def cpu_figures(segment: dict) -> dict:
    """CPU ms per request by kind of process, and how many cores the whole machine was busy on, over a segment."""
    requests = sum(len(item["times"]) for item in segment.get("names", {}).values())
    cpu = segment.get("cpu", {})
    spent = cpu.get("seconds", {})
    per_request = {kind: seconds * 1000 / requests if requests else 0.0 for kind, seconds in spent.items()}
    server = per_request.get("gunicorn", 0.0) + per_request.get("postgresql", 0.0)
    duration = segment.get("seconds", 0.0)
    return {
        "ms_per_request": per_request,
        "server_ms_per_request": server,
        "machine_busy_cores": cpu.get("machine_busy", 0.0) / duration if duration else 0.0,
        "processes": cpu.get("processes", {}),
    }


def ramp_result(fixed: dict, ramp_segments: list[dict], yardstick_rps: float | None) -> dict:
    steps = [fixed["figures"]] + [segment["figures"] for segment in ramp_segments]
    best = phases.highest_within_limit(steps)
    return {
        "steps": steps,
        "highest_within_limit": best["offered"] if best else None,
        "ratio_to_yardstick": best["offered"] / yardstick_rps if best and yardstick_rps else None,
        "limit_ms": phases.RAMP_P95_MS,
    }


def build(args: argparse.Namespace) -> dict:
    """Every figure of the run, as results.json holds it."""
    recorded = json.loads((OUT / "writes_fixed.json").read_text())
    phase = recorded.get("phase", {})
    if not phase.get("segments"):
        raise NoFigures(f"The fixed phase has no figures: {phase.get('error', 'see ' + str(OUT / 'fixed.log'))}")
    fixed = phase["segments"][-1]
    per_name, per_type, total = phases.by_name_and_type(fixed)
    before = json.loads((OUT / "counts_before.json").read_text())
    after = json.loads((OUT / "counts_after.json").read_text())
    checks = count_check(recorded["writes"], before, after)
    verify = (OUT / "audit_verify.txt").read_text().strip() if (OUT / "audit_verify.txt").exists() else ""
    wrk = (OUT / "yardstick.txt").read_text() if (OUT / "yardstick.txt").exists() else ""
    yardstick = yardstick_figures(wrk) if wrk else {"rps": args.yardstick or None, "p50": "", "p99": ""}
    targets = phases.targets(fixed, all(c[3] for c in checks), audit_ok(verify), fixed["offered"])
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "commit": args.commit,
        "started": args.started,
        "finished": args.finished,
        "cores": os.cpu_count(),
        "users": int(args.users),
        "workers": int(args.workers),
        "yardstick": yardstick,
        "fixed_share": args.share,
        "fixed": {
            "offered": fixed["offered"],
            "seconds": fixed["seconds"],
            "missed_slots": fixed.get("missed_slots", 0),
            "per_name": per_name,
            "per_type": per_type,
            "total": total,
            "cpu": cpu_figures(fixed),
            "status": recorded.get("status", {}),
        },
        "count_check": [{"what": w, "rows": r, "writes": c, "equal": e} for w, r, c, e in checks],
        "audit_verify": verify.splitlines()[-1] if verify else "",
        "audit_events_added": after["audit_events"] - before["audit_events"],
        "targets": [{"target": t, "met": met, "measured": m} for t, met, m in targets],
        "fixed_segment": fixed,  # the raw response times, for a second look
    }
    if (OUT / "writes_ramp.json").exists():
        ramp = json.loads((OUT / "writes_ramp.json").read_text()).get("phase", {})
        result["ramp"] = ramp_result(fixed, ramp.get("segments", []), yardstick["rps"])
        if ramp.get("error"):
            result["ramp"]["error"] = ramp["error"]
    return result


def markdown(result: dict) -> str:
    """The run as docs/load-test.md shows it: labelled by date and commit."""
    fixed, yardstick = result["fixed"], result["yardstick"]
    cpu = fixed["cpu"]["ms_per_request"]
    rps = yardstick["rps"]
    origin = f"{result['fixed_share']} of the yardstick" if result["fixed_share"] else "set by LOAD_FIXED_RATE"
    lines = [
        f"### {result['date']}, commit {result['commit']}",
        "",
        f"{result['cores']} cores, {result['users']} users, gunicorn {result['workers']} workers, PostgreSQL at "
        f"scale 100,000; {result['started']} to {result['finished']} UTC.",
        "",
        "Yardstick (bare Flask page reading SQLite, wrk, 50 connections): "
        + (f"**{rps:,.0f} requests/s**, p50 {yardstick['p50']}, p99 {yardstick['p99']}." if rps else "not run."),
        "",
        f"Fixed rate: **{fixed['offered']:.1f} requests/s offered** ({origin}) for "
        f"{fixed['seconds']:.0f} s; achieved {fixed['total']['rate']:.1f} requests/s, {fixed['total']['failures']} "
        f"errors, {fixed['missed_slots']} slots lost for want of a free user.",
        "",
        *phases.name_table(result["fixed_segment"]),
        "",
        f"CPU per request: gunicorn {cpu.get('gunicorn', 0):.1f} ms + PostgreSQL {cpu.get('postgresql', 0):.1f} ms "
        f"= **{fixed['cpu']['server_ms_per_request']:.1f} ms** (locust {cpu.get('locust', 0):.1f} ms); the whole "
        f"machine was busy on {fixed['cpu']['machine_busy_cores']:.2f} of {result['cores']} cores.",
        "",
        "| Count check | Rows added | Successful writes | Equal |",
        "|---|---:|---:|---|",
    ]
    for check in result["count_check"]:
        lines.append(
            f"| {check['what']} | {check['rows']:,} | {check['writes']:,} | {'yes' if check['equal'] else 'NO'} |"
        )
    lines += [
        "",
        f"Audit events added: {result['audit_events_added']:,}. `flask audit verify`: {result['audit_verify'] or '?'}",
        "",
        "| Target (issue 17, fixed rate) | Result | Measured |",
        "|---|---|---|",
    ]
    for target in result["targets"]:
        lines.append(f"| {target['target']} | {'PASS' if target['met'] else '**FAIL**'} | {target['measured']} |")
    ramp = result.get("ramp")
    if ramp:
        lines += [
            "",
            "Ramp (p95 over all requests, limit 250 ms; CPU: gunicorn + PostgreSQL per request):",
            "",
            *phases.ramp_table(ramp["steps"]),
            "",
        ]
        if ramp["highest_within_limit"] is None:
            lines.append("Highest rate with p95 <= 250 ms: none of the steps.")
        else:
            ratio = f" = **{ramp['ratio_to_yardstick']:.3f}** of the yardstick" if ramp["ratio_to_yardstick"] else ""
            lines.append(f"Highest rate with p95 <= 250 ms: **{ramp['highest_within_limit']:.1f} requests/s**{ratio}.")
        if ramp.get("error"):
            lines.append(f"The ramp stopped on an error: {ramp['error']}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--started", default="")
    parser.add_argument("--finished", default="")
    parser.add_argument("--users", default="50")
    parser.add_argument("--workers", default="4")
    parser.add_argument("--yardstick", type=float, default=0.0)
    parser.add_argument("--share", type=float, default=phases.FIXED_SHARE)
    parser.add_argument("--commit", default="")
    args = parser.parse_args()
    try:
        result = build(args)
    except NoFigures as error:
        print(error, file=sys.stderr)
        return 2
    text = markdown(result)
    (OUT / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    (OUT / "results.md").write_text(text)
    print(text)
    print(f"Written: {OUT / 'results.json'}, {OUT / 'results.md'}")
    return 0 if all(target["met"] for target in result["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
